// A job server whose workers sleep on a condition variable until a job or the
// shutdown arrives. Declared here, defined in job_server.cpp, used in main.cpp.
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

class JobServer {
public:
  explicit JobServer(int workers);
  ~JobServer();
  void post(std::function<void()> job);
  void shutdown();

private:
  void work();
  std::mutex mu_;
  std::condition_variable has_work_;
  std::deque<std::function<void()>> jobs_;
  bool shutting_down_ = false;
  std::vector<std::thread> workers_;
};
