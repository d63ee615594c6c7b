// channel-double-close through the ways real code holds a channel: a
// unique_ptr member, raw pointers passed to helpers, lambdas capturing by
// reference, std::async tasks, a jthread scope, a loop.
#include <boost/fiber/buffered_channel.hpp>
#include <boost/fiber/unbuffered_channel.hpp>
#include <boost/thread/concurrent_queues/sync_queue.hpp>
#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using Chan = boost::fibers::buffered_channel<int>;
using Events = boost::fibers::unbuffered_channel<std::string>;
using Queue = boost::concurrent::sync_queue<std::string>;

// --- must flag -------------------------------------------------------------

// A unique_ptr member closed by the cancel helper and again by finish().
class Upload {
public:
  Upload() : parts_(std::make_unique<Chan>(32)) {}
  void cancel() { parts_->close(); }  // want-note "first close here"
  void finish(const std::vector<int> &parts, bool cancelled) {
    for (int p : parts)
      parts_->push(p);
    if (cancelled)
      cancel();
    parts_->close();  // want channel-double-close "may already be closed"
  }

private:
  std::unique_ptr<Chan> parts_;
};

// A helper taking a raw pointer closes; the caller closes again.
void close_events(Events *ev) { ev->close(); }  // want-note "first close here"
void publish(Events &ev, const std::vector<std::string> &msgs, bool fail) {
  for (const auto &m : msgs) {
    if (fail) {
      close_events(&ev);
      break;
    }
    ev.push(m);
  }
  ev.close();  // want channel-double-close "may already be closed"
}

// A lambda capturing by reference is the "finish" action; it runs, and
// then the channel is closed again.
void drain_batches(Chan &batches, int limit) {
  auto finish = [&batches] { batches.close(); };  // want-note "first close here"
  for (int i = 0; i < limit; ++i) {
    if (i * i > limit) {
      finish();
      break;
    }
    batches.push(i);
  }
  batches.close();  // want channel-double-close "may already be closed"
}

// Two std::async tasks both close the queue: nothing orders them.
void shutdown_async(std::shared_ptr<Queue> q) {
  auto a = std::async(std::launch::async, [q] { q->close(); });  // want-note "first close here"
  auto b = std::async(std::launch::async, [q] { q->close(); });  // want channel-double-close "closed twice"
  a.get();
  b.get();
}

// The jthread closes and is joined at the end of the scope; the owner then
// closes again.
void scoped_producer(Chan &ch, int n) {
  {
    std::jthread producer([&ch, n] {
      for (int i = 0; i < n; ++i)
        ch.push(i);
      ch.close();  // want-note "first close here"
    });
  }
  ch.close();  // want channel-double-close "may already be closed"
}

// The error path of one stage closes the shared output; the caller's
// cleanup closes it again through a shared_ptr copy.
struct Batch {
  std::shared_ptr<Chan> out = std::make_shared<Chan>(16);
};
void stage(Batch b, int v) {
  if (v < 0)
    b.out->close();  // want-note "first close here"
  else
    b.out->push(v);
}
void run_stage(Batch &b, int v) {
  stage(b, v);
  auto out = b.out;
  out->close();  // want channel-double-close "may already be closed"
}

// --- must not flag ---------------------------------------------------------

// Idempotent stop: an atomic exchange makes the second call return early.
class Service {
public:
  void stop() {
    if (stopped_.exchange(true))
      return;
    requests_.close();
  }
  void submit(const std::string &r) { requests_.push(r); }
private:
  std::atomic<bool> stopped_{false};
  Queue requests_;
};

// std::call_once closes exactly once, whoever calls.
class Broadcaster {
public:
  void close_once() {
    std::call_once(closed_, [this] { out_.close(); });
  }

private:
  std::once_flag closed_;
  Chan out_{16};
};

// Two different objects of the same class.
struct Stage {
  Chan out{8};
  void close_both(Stage &next) {
    out.close();
    next.out.close();
  }
};

// One close per case of a switch.
enum class Outcome { Done, Failed, Cancelled };
void finish_with(Chan &ch, Outcome o) {
  switch (o) {
  case Outcome::Done:
    ch.push(0);
    ch.close();
    break;
  case Outcome::Failed:
    ch.push(-1);
    ch.close();
    break;
  case Outcome::Cancelled:
    ch.close();
    break;
  }
}

// Close at the end of the try block, or in the handler when the work threw
// before reaching it.
int parse(const std::string &s) { return std::stoi(s); }
void parse_all(Chan &out, const std::vector<std::string> &in) {
  try {
    for (const auto &s : in)
      out.push(parse(s));
    out.close();
  } catch (const std::exception &) {
    out.close();
  }
}

// A fresh channel for every request, returned to the caller, closed once by
// the producer thread.
std::shared_ptr<Chan> start_request(int n, std::vector<std::thread> &pool) {
  auto ch = std::make_shared<Chan>(4);
  pool.emplace_back([ch, n] {
    for (int i = 0; i < n; ++i)
      ch->push(i);
    ch->close();
  });
  return ch;
}

// The async task closes; get() orders it before the owner checks and does
// not close again.
void async_then_check(std::shared_ptr<Chan> ch) {
  auto f = std::async(std::launch::async, [ch] {
    ch->push(1);
    ch->close();
  });
  f.get();
  if (!ch->is_closed())
    ch->close();
}
