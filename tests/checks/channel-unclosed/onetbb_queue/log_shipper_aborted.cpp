// The same shapes with the abort that ends the consumers (oneTBB's
// concurrent_bounded_queue, real headers), and consumers that do not wait
// for an abort at all.
// requires-pkg: tbb
#include <oneapi/tbb/concurrent_queue.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

void upload_batch(const std::vector<std::string> &lines);

// --- must not flag ---------------------------------------------------------

class AbortingShipper {
public:
  void start() {
    worker_ = std::thread([this] { ship(); });
  }
  void log(std::string line) { lines_.push(std::move(line)); }
  void stop() {
    lines_.abort(); // wakes the worker blocked in pop() with user_abort
    if (worker_.joinable())
      worker_.join();
  }

private:
  void ship() {
    std::vector<std::string> batch;
    for (;;) {
      std::string line;
      try {
        lines_.pop(line);
      } catch (const tbb::user_abort &) {
        break;
      }
      batch.push_back(std::move(line));
      if (batch.size() == 64) {
        upload_batch(batch);
        batch.clear();
      }
    }
    upload_batch(batch);
  }

  tbb::concurrent_bounded_queue<std::string> lines_;
  std::thread worker_;
};

int count_records_aborted(const std::vector<std::string> &paths) {
  auto q = std::make_shared<tbb::concurrent_bounded_queue<std::string>>();
  std::atomic<int> n{0};
  std::thread consumer([q, &n] {
    try {
      for (;;) {
        std::string p;
        q->pop(p);
        ++n;
      }
    } catch (tbb::user_abort &) {
    }
  });
  for (const std::string &p : paths)
    q->push(p);
  while (!q->empty())
    std::this_thread::yield();
  q->abort();
  consumer.join();
  return n;
}

// A consumer that stops after a known count, polling with try_pop: it waits
// for no abort.
int drain_known(tbb::concurrent_bounded_queue<int> &q, int expected) {
  int sum = 0;
  for (int got = 0; got < expected;) {
    int v = 0;
    if (q.try_pop(v)) {
      sum += v;
      ++got;
    }
  }
  return sum;
}
