// fork()+exec and fork() without exec while threads run under the shim.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

int main() {
  std::mutex mu;
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&] {
      for (int k = 0; k < 200; ++k) {
        std::lock_guard<std::mutex> g(mu);
      }
    });
  pid_t a = fork();
  if (a == 0) {
    execlp("true", "true", (char *)nullptr);
    _exit(127);
  }
  pid_t b = fork();
  if (b == 0) {
    // The child is single-threaded; it can still create and join threads.
    std::thread t([] { std::this_thread::sleep_for(std::chrono::milliseconds(10)); });
    t.join();
    _exit(7);
  }
  int sa = 0, sb = 0;
  waitpid(a, &sa, 0);
  waitpid(b, &sb, 0);
  for (auto &t : ts)
    t.join();
  printf("exec %d fork %d\n", WEXITSTATUS(sa), WEXITSTATUS(sb));
  return WEXITSTATUS(sa) == 0 && WEXITSTATUS(sb) == 7 ? 0 : 1;
}
