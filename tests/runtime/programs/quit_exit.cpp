// Asks for a SIGQUIT dump and exits right away, with eight threads blocked
// (so the dump has something to write while the process ends).
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>

int main() {
  // Never destroyed: the threads still wait on them at exit.
  auto *mu = new std::mutex;
  auto *cv = new std::condition_variable;
  auto *ready = new int(0);
  for (int i = 0; i < 8; ++i)
    std::thread([=] {
      std::unique_lock<std::mutex> l(*mu);
      ++*ready;
      cv->notify_all();
      cv->wait(l, [] { return false; });
    }).detach();
  {
    std::unique_lock<std::mutex> l(*mu);
    cv->wait(l, [=] { return *ready == 8; });
  }
  raise(SIGQUIT);
  return 0;
}
