// channel-double-close with Boost.Fiber channels (a second close is harmless
// there, so findings are remarks): paths, helpers, threads.
#include <boost/fiber/buffered_channel.hpp>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

using Chan = boost::fibers::buffered_channel<int>;

int parse(int v) { if (v < 0) throw std::invalid_argument("neg"); return v * 2; }

// --- must flag -------------------------------------------------------------

// An error path closes, then the normal path closes again.
void forward_until_error(Chan &in, Chan &out) {
  int v;
  while (in.pop(v) == boost::fibers::channel_op_status::success) {
    if (v < 0) {
      out.close();  // want-note "first close here"
      break;
    }
    out.push(parse(v));
  }
  out.close();  // want channel-double-close "may already be closed here"
}

// The shutdown helper closes; the caller closes again.
class Stage {
public:
  explicit Stage(std::size_t cap) : out_(cap) {}
  void shutdown() { out_.close(); }  // want-note "first close here"
  void run(const std::vector<int> &xs, bool abort_early) {
    for (int x : xs) out_.push(x);
    if (abort_early)
      shutdown();  // want-note "in the call to 'shutdown' here"
    out_.close();  // want channel-double-close "may already be closed"
  }
private:
  Chan out_;
};

// Two threads each close the same channel and nothing orders them.
void two_closers(std::shared_ptr<Chan> ch) {
  std::thread a([ch] { ch->push(1); ch->close(); });  // want-note "first close here" want channel-send-after-close "may run after the channel is closed"
  std::thread b([ch] { ch->close(); });  // want channel-double-close "closed twice"
  a.join();
  b.join();
}

// A thread closes; after joining it the owner closes again.
void close_after_join(Chan &ch) {
  std::thread producer([&ch] {
    for (int i = 0; i < 4; ++i) ch.push(i);
    ch.close();  // want-note "first close here"
  });
  producer.join();
  ch.close();  // want channel-double-close "may already be closed"
}

// --- must not flag ---------------------------------------------------------

void guarded_by_is_closed(Chan &ch, bool failed) {
  if (failed) ch.close();
  if (!ch.is_closed()) ch.close();
}

void one_close_per_branch(Chan &ch, bool failed) {
  if (failed) {
    ch.close();
  } else {
    ch.push(1);
    ch.close();
  }
}

void correlated_flag(Chan &ch, bool failed) {
  if (failed)
    ch.close();
  if (!failed)
    ch.close();
}

void fresh_channel_each_iteration(int n) {
  for (int i = 0; i < n; ++i) {
    Chan c{2};
    c.push(i);
    c.close();
  }
}

void reassigned_pointer(std::shared_ptr<Chan> ch) {
  ch->close();
  ch = std::make_shared<Chan>(4);
  ch->close();
}

void single_producer_closes(std::shared_ptr<Chan> ch) {
  std::thread producer([ch] {
    for (int i = 0; i < 8; ++i) ch->push(i);
    ch->close();
  });
  int v;
  while (ch->pop(v) == boost::fibers::channel_op_status::success) {
  }
  producer.join();
}
