// channel-receiver-close: the party that only receives closes the channel
// while a producer still sends. Go: "only the sender closes".
#include <boost/fiber/buffered_channel.hpp>
#include <boost/thread/concurrent_queues/sync_queue.hpp>
#include <memory>
#include <thread>
#include <vector>

using Chan = boost::fibers::buffered_channel<int>;
using boost::fibers::channel_op_status;

void use(int);

// --- must flag -------------------------------------------------------------

// The spec's shape: the consumer lambda closes on a sentinel while the
// producer thread still pushes.
void sentinel_consumer(std::shared_ptr<Chan> ch) {
  std::thread producer([ch] {
    // This producer never ends: once the channel is closed its push fails
    // and it spins, so producer.join() below hangs.
    for (int i = 10;; --i) // want cancel-missing "loops forever around a blocking channel send"
      ch->push(i); // want-note "the producer sends"
  });
  std::thread consumer([ch] { // want-note "receiving thread that closes is started here"
    int v;
    for (;;) {
      if (ch->pop(v) != channel_op_status::success)
        break;
      if (v < 0) {
        ch->close(); // want channel-receiver-close "only receives from it"
        break;
      }
      use(v);
    }
  });
  producer.join();
  consumer.join();
}

// The consuming function itself closes under its running producer.
void consume_until_error(Chan &ch) {
  std::thread producer([&ch] {
    for (int i = 0; i < 100; ++i)
      ch.push(i);
  });
  int v;
  while (ch.pop(v) == channel_op_status::success)
    if (v == 42) {
      ch.close(); // want channel-receiver-close "closed by a party that only receives"
      break;
    }
  producer.join();
}

// A member consumer and a member producer of one class.
class Stage {
public:
  void run() {
    std::thread feeder([this] { feed(); });
    std::thread drainer([this] { drain(); });
    feeder.join();
    drainer.join();
  }

private:
  void feed() {
    for (int i = 0; i < 1000; ++i)
      q_.push(i);
  }
  void drain() {
    int v;
    while (q_.pop(v) == channel_op_status::success)
      if (v > 500)
        q_.close(); // want channel-receiver-close "only receives"
  }
  Chan q_{16};
};

// Boost.Thread sync_queue: the consumer closes while the producer pushes
// (push throws on a closed queue and nobody catches it).
void sync_queue_consumer_closes(boost::concurrent::sync_queue<int> &q) {
  std::thread producer([&q] {
    for (int i = 0; i < 10; ++i)
      q.push(i);
  });
  int v = q.pull();
  use(v);
  q.close(); // want channel-receiver-close "only receives"
  producer.join();
}

// --- must not flag ---------------------------------------------------------

// The producer closes.
void producer_closes(std::shared_ptr<Chan> ch) {
  std::thread producer([ch] {
    for (int i = 0; i < 10; ++i)
      ch->push(i);
    ch->close();
  });
  for (int v : *ch)
    use(v);
  producer.join();
}

// A single owner that sends and closes.
void owner_sends_and_closes(Chan &ch) {
  std::thread reader([&ch] {
    for (int v : ch)
      use(v);
  });
  for (int i = 0; i < 10; ++i)
    ch.push(i);
  ch.close();
  reader.join();
}

// The consumer closes only after the producer is joined.
void close_after_join(Chan &ch) {
  std::thread producer([&ch] {
    for (int i = 0; i < 10; ++i)
      ch.push(i);
  });
  int v;
  ch.pop(v);
  producer.join();
  ch.close();
}

// The producer watches push()'s status: Boost.Fiber's documented way for a
// consumer to stop a producer early.
void producer_observes_status(std::shared_ptr<Chan> ch) {
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

// The closer drains leftovers with try_pop after closing: a shutdown, not a
// consumer (and the producer was joined).
void shutdown_drain(Chan &ch) {
  std::thread producer([&ch] { ch.push(1); });
  producer.join();
  ch.close();
  int v;
  while (ch.try_pop(v) == channel_op_status::success)
    use(v);
}
