// A detached worker that is still waiting when main returns.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

// Never destroyed: destroying a condition variable that still has a waiter
// blocks in glibc.
std::mutex &mu = *new std::mutex;
std::condition_variable &cv = *new std::condition_variable;
bool stop = false;

static void startWorker() {
  std::thread([] {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [] { return stop; });
  }).detach(); // LEAK-SITE
}

int main() {
  startWorker();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return 0;
}
