// A watchdog whose member functions are all defined in watchdog.cpp, which
// never joins the thread.
#pragma once
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

class Watchdog {
public:
  explicit Watchdog(std::chrono::milliseconds period);
  void pet();

private:
  void watch();
  std::chrono::milliseconds period_;
  std::atomic<long> last_{0};
  std::thread thread_; // want thread-leak "std::thread member 'thread_' is never joined or detached"
};
