// channel-send-after-close through unique_ptr members, raw pointers, lambda
// captures by value and by reference, std::async and detached threads.
// Closers here never receive from the channel they close.
#include <boost/fiber/buffered_channel.hpp>
#include <boost/thread/concurrent_queues/sync_queue.hpp>
#include <msd/channel.hpp>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using Lines = boost::concurrent::sync_queue<std::string>;
using Chan = boost::fibers::buffered_channel<int>;

// --- must flag -------------------------------------------------------------

// The logger's shutdown closes the queue and then logs its own farewell.
class Logger {
public:
  Logger() : q_(std::make_unique<msd::channel<std::string>>(64)) {}
  void log(const std::string &line) { *q_ << std::string(line); }
  void shutdown() {
    q_->close();  // want-note "closed here"
    log("logger stopped");  // want channel-send-after-close "after it may have been closed"
  }

private:
  std::unique_ptr<msd::channel<std::string>> q_;
};

// A std::async producer whose future is waited for only after the close.
void async_producer(Chan &ch, int n) {
  auto done = std::async(std::launch::async, [&ch, n] {
    for (int i = 0; i < n; ++i)
      ch.push(i);  // want channel-send-after-close "not joined before the close"
  });
  ch.close();  // want-note "closed here"
  done.get();
}

// std::async with a function and a std::ref argument: the future's
// destructor waits for it only at the end of the scope, after the close.
void produce_batch(Chan &out, int n) {
  for (int i = 0; i < n; ++i)
    out.push(i * 10);  // want channel-send-after-close "not joined before the close"
}
void async_function(Chan &ch) {
  auto pending = std::async(std::launch::async, produce_batch, std::ref(ch), 8);
  ch.close();  // want-note "closed here"
}

// A detached thread keeps sending; nothing waits for it.
void fire_and_forget(std::shared_ptr<Lines> q, std::vector<std::string> lines) {
  std::thread([q, lines] {
    for (const auto &l : lines)
      q->push(l);  // want channel-send-after-close "not joined before the close"
  }).detach();
  q->close();  // want-note "closed here"
}

// A free function started with a raw pointer to the queue.
void read_config(Lines *out, int n) {
  for (int i = 0; i < n; ++i)
    out->push("key" + std::to_string(i));  // want channel-send-after-close "not joined before the close"
}
void load(Lines &q) {
  std::thread reader(read_config, &q, 16);
  q.close();  // want-note "closed here"
  reader.join();
}

// A member thread started and, on the empty-config path, the channel is
// closed before the thread is joined by the destructor.
class Watcher {
public:
  void start(const std::vector<int> &paths) {
    thread_ = std::thread([this, paths] {
      for (int p : paths)
        events_.push(p);  // want channel-send-after-close "not joined before the close"
    });
    if (paths.empty())
      events_.close();  // want-note "closed here"
  }
  ~Watcher() {
    if (thread_.joinable())
      thread_.join();
  }

private:
  Chan events_{32};
  std::thread thread_;
};

// A reference alias: closed through one name, sent through the other.
void alias(msd::channel<int> &ch, bool stop_early) {
  msd::channel<int> &out = ch;
  if (stop_early)
    out.close();  // want-note "closed here"
  ch << 42;  // want channel-send-after-close "after it may have been closed"
}

// --- must not flag ---------------------------------------------------------

// msd::channel::write reports the close through its bool.
void checked_write(std::shared_ptr<msd::channel<int>> ch) {
  std::thread producer([ch] {
    for (int i = 0;; ++i)
      if (!ch->write(i))
        break;
  });
  ch->close();
  producer.join();
}

// msd's operator<< throws closed_channel, and the producer catches it.
void catching_producer(msd::channel<int> &ch) {
  std::thread producer([&ch] {
    try {
      for (int i = 0;; ++i)
        ch << i;
    } catch (const msd::closed_channel &) {
    }
  });
  ch.close();
  producer.join();
}

// The future is waited for before the close.
void async_then_close(Chan &ch) {
  auto f = std::async(std::launch::async, [&ch] { ch.push(1); });
  f.wait();
  ch.close();
}

// The thread stored in a member is joined by stop() before it closes.
class Feeder {
public:
  void start() {
    worker_ = std::thread([this] {
      for (int i = 0; i < 100; ++i)
        out_.push(i);
    });
  }
  void stop() {
    worker_.join();
    out_.close();
  }

private:
  Chan out_{128};
  std::thread worker_;
};

// Closing one channel and sending on another.
void switch_channels(Chan &old_ch, Chan &new_ch) {
  old_ch.close();
  new_ch.push(1);
}

// Sends through a helper, all before the close.
class Emitter {
public:
  void emit(int v) { out_.push(v); }
  void finish(const std::vector<int> &tail) {
    for (int v : tail)
      emit(v);
    emit(-1);
    out_.close();
  }

private:
  Chan out_{16};
};
