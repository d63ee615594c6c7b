// Boost.Thread sync_queue: push after close throws sync_queue_is_closed.
// Code that catches it handles the close; code that does not will terminate.
#include <boost/thread/concurrent_queues/sync_queue.hpp>
#include <thread>

using Queue = boost::concurrent::sync_queue<int>;

void producer_unprotected(Queue &q) {
  std::thread t([&q] {
    for (int i = 0; i < 100; ++i)
      q.push(i);  // want channel-send-after-close "not joined before the close"
  });
  q.close();  // want-note "closed here"
  t.join();
}

void producer_catches_close(Queue &q) {
  std::thread t([&q] {
    try {
      for (int i = 0;; ++i)
        q.push(i);
    } catch (const boost::sync_queue_is_closed &) {
      // the consumer is done: stop producing
    }
  });
  q.close();
  t.join();
}
