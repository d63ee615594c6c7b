// The recorder's own implementation: stop() closes, and flush_and_stop()
// closes again after calling it on the error path.
#include "recorder.h"

using boost::fibers::channel_op_status;

Recorder::Recorder()
    : samples_(std::make_shared<boost::fibers::buffered_channel<Sample>>(64)),
      writer_([this] { write_loop(); }) {}

Recorder::~Recorder() {
  if (writer_.joinable())
    writer_.join();
}

void Recorder::write_loop() {
  Sample s;
  while (samples_->pop(s) == channel_op_status::success)
    written_.push_back(s);
}

void Recorder::record(const std::string &name, double v) {
  if (samples_->push(Sample{name, v}) != channel_op_status::success)
    return; // stopped
}

void Recorder::stop() { samples_->close(); }  // want-note "first close here"

void Recorder::flush_and_stop(bool error) {
  if (error)
    stop();
  samples_->close();  // want channel-double-close "may already be closed"
  writer_.join();
}
