// A pipeline stage started in pipeline.cpp and joined in pipeline_stop.cpp:
// the TU that starts the thread cannot see the join, so it says nothing.
#pragma once
#include <atomic>
#include <string>
#include <thread>
#include <vector>

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

// A stage pool whose workers are joined by drain(), defined in the other TU.
class StagePool {
public:
  void add(const std::string &input);
  void drain();

private:
  std::vector<std::thread> workers_;
};
