// A metrics recorder that streams samples to a writer thread through a
// Boost.Fiber channel. Each .cpp of this case has its own, local, behaviour.
#pragma once
#include <boost/fiber/buffered_channel.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

struct Sample {
  std::string name;
  double value = 0;
};

class Recorder {
public:
  Recorder();
  ~Recorder();
  void record(const std::string &name, double v);
  void flush_and_stop(bool error);
  void stop();

private:
  void write_loop();
  std::shared_ptr<boost::fibers::buffered_channel<Sample>> samples_;
  std::thread writer_;
  std::vector<Sample> written_;
};
