// A channel facade that closes after the n-th successful push (the shape of
// Boost.Fiber's own wait_all_values() example, examples/wait_stuff.cpp):
// the close runs exactly once, when the count reaches zero. Correct: no
// check may report anything here.
// Currently reported (false positives): channel-double-close on the second
// push() call in two_results() and on the second start_one() call in
// start_two(): the close's guard on the counter (`--limit_ == 0`) is
// dropped from push()'s summary, so every push() "closes".
#include <boost/fiber/buffered_channel.hpp>
#include <boost/fiber/fiber.hpp>
#include <memory>

using Chan = boost::fibers::buffered_channel<int>;
using boost::fibers::channel_op_status;

class CountingChan {
public:
  CountingChan(std::shared_ptr<Chan> ch, std::size_t n)
      : ch_(std::move(ch)), limit_(n) {}
  channel_op_status push(int v) {
    channel_op_status st = ch_->push(v);
    if (st == channel_op_status::success && --limit_ == 0)
      ch_->close();
    return st;
  }

private:
  std::shared_ptr<Chan> ch_;
  std::size_t limit_;
};

// Two results, then the consumer sees the end of the stream.
void two_results(CountingChan &out) {
  out.push(1);
  out.push(2);
}

// The same through detached fibers started by a helper.
void start_one(std::shared_ptr<CountingChan> out, int v) {
  boost::fibers::fiber([out, v] { out->push(v); }).detach();
}
void start_two(std::shared_ptr<CountingChan> out) {
  start_one(out, 1);
  start_one(out, 2);
}
