// channel-send-after-close with Boost.Fiber channels: same-path sends after
// close, producers not joined before the close, helpers and functions
// started as threads.
#include <boost/fiber/buffered_channel.hpp>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

using Chan = boost::fibers::buffered_channel<int>;
using boost::fibers::channel_op_status;

// --- must flag -------------------------------------------------------------

void flush_and_close(Chan &out, const std::vector<int> &pending) {
  out.close();  // want-note "closed here"
  for (int v : pending)
    out.push(v);  // want channel-send-after-close "after it may have been closed on this path"
}

// The producer thread is still running when the owner closes.
void close_before_join(const std::vector<int> &xs) {
  auto ch = std::make_shared<Chan>(16);
  std::thread producer([ch, xs] {
    for (int x : xs)
      ch->push(x);  // want channel-send-after-close "sending thread is not joined"
  });
  ch->close();  // want-note "closed here"
  producer.join();
}

// A free function started as a thread, with the channel passed by std::ref.
void produce(Chan &out, int n) {
  for (int i = 0; i < n; ++i)
    out.push(i);  // want channel-send-after-close "not joined before the close"
}
void start_and_close(Chan &ch) {
  std::thread t(produce, std::ref(ch), 10);
  ch.close();  // want-note "closed here"
  t.join();
}

// The send is inside a helper called after the close.
struct Emitter {
  void emit(int v) { out_.push(v); }
  void finish_then_emit_trailer() {
    out_.close();  // want-note "closed here"
    emit(-1);  // want channel-send-after-close "after it may have been closed"
  }
  Chan out_{8};
};

// --- must not flag ---------------------------------------------------------

// The producer observes the close through push()'s status: the documented
// way for a Boost.Fiber producer to learn that the consumer gave up.
void consumer_may_stop_early(std::shared_ptr<Chan> ch) {
  std::thread producer([ch] {
    for (int i = 0;; ++i)
      if (ch->push(i) != channel_op_status::success)
        return;
  });
  int v;
  ch->pop(v);
  ch->close();
  producer.join();
}

void join_then_close(Chan &ch) {
  std::thread producer([&ch] { for (int i = 0; i < 4; ++i) ch.push(i); });
  producer.join();
  ch.close();
}

void scoped_jthread_then_close(Chan &ch) {
  {
    std::jthread producer([&ch] { for (int i = 0; i < 4; ++i) ch.push(i); });
  } // ~jthread joins
  ch.close();
}

void pool_then_close(Chan &ch, int n) {
  std::vector<std::thread> pool;
  for (int i = 0; i < n; ++i)
    pool.emplace_back([&ch, i] { ch.push(i); });  // want thread-unbounded-spawn "parameter 'n' of 'pool_then_close', whose value comes from its callers"
  for (std::size_t i = 0; i < pool.size(); ++i)
    pool[i].join();
  ch.close();
}

void send_then_close(Chan &ch) {
  ch.push(1);
  ch.close();
}

void reopen_before_send(std::shared_ptr<Chan> ch) {
  ch->close();
  ch = std::make_shared<Chan>(2);
  ch->push(1);
}

// A flag set right after the error-path close guards every later send.
void stop_forwarding_on_error(Chan &in, Chan &out, int max_bad) {
  bool aborted = false;
  int bad = 0, v;
  while (in.pop(v) == channel_op_status::success) {
    if (aborted)
      continue; // keep draining the input
    if (v < 0 && ++bad > max_bad) {
      out.close();
      aborted = true;
      continue;
    }
    out.push(v);
  }
  if (!aborted)
    out.close();
}

// A helper that closes on its error path and again at its end is the
// helper's own business (reported there, once); calling it from a thread
// does not repeat its findings at the call.
struct Stage {
  void parse_stage(Chan &in) {
    int v;
    while (in.pop(v) == channel_op_status::success) {
      if (v < 0) {
        out_.close();
        return;
      }
      out_.push(v);
    }
    out_.close();
  }
  void run(Chan &in) {
    std::jthread parser([this, &in] { parse_stage(in); });
  }
  Chan out_{8};
};
