// Two classes with a thread member. Watchdog's member functions are all
// defined in watchdog.cpp, which never joins the thread; Pipeline's stop()
// lives in another TU (pipeline_stop.cpp), where the join is.
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

class Pipeline {
public:
  void start(const std::string &input);
  void stop();
  ~Pipeline();

private:
  void run(std::string input);
  std::atomic<bool> stop_{false};
  std::thread stage_;
};
