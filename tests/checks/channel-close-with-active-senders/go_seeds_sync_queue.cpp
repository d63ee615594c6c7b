// The Go seeds' fan-in/fan-out shapes with Boost.Thread's sync_queue and
// sync_bounded_queue. No `want` comments: nothing here may be reported by
// any check.
#include <boost/thread/concurrent_queues/sync_bounded_queue.hpp>
#include <boost/thread/concurrent_queues/sync_queue.hpp>
#include <future>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

using Queue = boost::concurrent::sync_queue<int>;
using QueuePtr = std::shared_ptr<Queue>;

// Pops until the queue is closed and empty.
bool next(Queue &q, int &v) {
  try {
    q.pull(v);
    return true;
  } catch (const boost::sync_queue_is_closed &) {
    return false;
  }
}

// --- fan-out: one producer, several workers reading one queue --------------

class Crawler {
public:
  explicit Crawler(int workers) : n_(workers) {}

  std::vector<int> crawl(const std::vector<int> &pages) {
    std::vector<std::thread> workers;
    for (int i = 0; i < n_; ++i)
      workers.emplace_back([this] {
        int page;
        while (next(pages_, page))
          found_.push(page * 10);
      });

    // The dispatcher is the only sender on pages_, and it closes.
    std::thread dispatcher([this, &pages] {
      for (int p : pages)
        pages_.push(p);
      pages_.close();
    });

    // Fan-in: close found_ only after every sender on it is joined.
    dispatcher.join();
    for (auto &w : workers)
      w.join();
    found_.close();

    std::vector<int> out;
    int v;
    while (next(found_, v))
      out.push_back(v);
    return out;
  }

private:
  int n_;
  Queue pages_;
  Queue found_;
};

// --- merge: futures are the wait group -------------------------------------

void merge(const std::vector<QueuePtr> &inputs, QueuePtr out) {
  std::vector<std::future<void>> senders;
  for (const QueuePtr &in : inputs)
    senders.push_back(std::async(std::launch::async, [in, out] {  // want thread-unbounded-spawn "parameter 'inputs' of 'merge', whose size comes from its callers"
      int v;
      while (next(*in, v))
        out->push(v);
    }));
  for (auto &s : senders)
    s.get();
  out->close();
}

// --- generator stopped by a stop token -------------------------------------

int sample(int n) {
  auto q = std::make_shared<boost::concurrent::sync_bounded_queue<int>>(4);
  std::jthread gen([q](std::stop_token st) {
    try {
      for (int i = 0; !st.stop_requested(); ++i)
        q->push(i);
    } catch (const boost::sync_queue_is_closed &) {
    }
  });
  int sum = 0, v;
  for (int i = 0; i < n; ++i) {
    q->pull(v);
    sum += v;
  }
  gen.request_stop();
  while (q->try_pull(v)) {
  }
  return sum;
}

// --- bounded queue with room for every send --------------------------------

int bounded_batch() {
  boost::concurrent::sync_bounded_queue<int> q(16);
  std::vector<std::thread> senders;
  for (int i = 0; i < 4; ++i)
    senders.emplace_back([&q, i] {
      for (int j = 0; j < 4; ++j)
        q.push(i * 4 + j); // 16 sends in all: never blocks
    });
  for (auto &s : senders)
    s.join();
  q.close();
  int sum = 0, v;
  while (q.try_pull(v))
    sum += v;
  return sum;
}
