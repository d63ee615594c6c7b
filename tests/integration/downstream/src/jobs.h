#pragma once
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

// Runs jobs on threads it owns and joins them all in its destructor.
class Jobs {
public:
  ~Jobs();
  void start(std::function<void()> job);
  void flushAll();
  int flushed() const;

private:
  mutable std::mutex mu_;
  std::vector<std::thread> threads_;
  int flushed_ = 0;
};
