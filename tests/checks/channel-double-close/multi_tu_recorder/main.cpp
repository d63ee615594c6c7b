// Users of the recorder in another translation unit; a local channel used
// correctly alongside it.
#include "recorder.h"

void record_batch(Recorder &r, const std::vector<Sample> &batch) {
  for (const auto &s : batch)
    r.record(s.name, s.value);
  r.stop();
}

double mean_of(const std::vector<double> &xs) {
  boost::fibers::buffered_channel<double> ch{16};
  std::thread producer([&ch, &xs] {
    for (double x : xs)
      ch.push(x);
    ch.close();
  });
  double sum = 0, v;
  std::size_t n = 0;
  while (ch.pop(v) == boost::fibers::channel_op_status::success) {
    sum += v;
    ++n;
  }
  producer.join();
  return n ? sum / n : 0;
}
