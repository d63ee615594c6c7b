// moodycamel's BlockingConcurrentQueue: wait_dequeue() blocks until an item
// arrives, wait_dequeue_timed() returns after its timeout. Compiled against
// the real header (Debian's libconcurrentqueue-dev).
#include <concurrentqueue/blockingconcurrentqueue.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

struct Sample {
  std::string name;
  double value = 0;
};

// --- must flag -------------------------------------------------------------

// The aggregator takes the next sample while holding the mutex that
// record() needs before it enqueues: once the queue is empty, the consumer
// sleeps holding it, and every producer blocks on the mutex.
class MetricsAggregator {
public:
  void record(Sample s) {
    std::lock_guard<std::mutex> lk(mu_);
    ++pending_[s.name];
    samples_.enqueue(std::move(s));
  }

  void run() {
    for (;;) {
      std::unique_lock<std::mutex> lk(mu_); // want-note "mutex locked here"
      Sample s;
      samples_.wait_dequeue(s); // want lock-held-across-blocking "mutex 'this->mu_' is held across a blocking channel receive"
      if (s.name.empty())
        return;
      --pending_[s.name];
      totals_[s.name] += s.value;
    }
  }

private:
  std::mutex mu_;
  std::map<std::string, int> pending_;
  std::map<std::string, double> totals_;
  moodycamel::BlockingConcurrentQueue<Sample> samples_;
};

// --- must not flag ---------------------------------------------------------

// The receive happens before the lock; the timed one returns after 50 ms.
class MetricsAggregatorFixed {
public:
  void record(Sample s) {
    std::lock_guard<std::mutex> lk(mu_);
    ++pending_[s.name];
    samples_.enqueue(std::move(s));
  }

  void run() {
    for (;;) {
      Sample s;
      samples_.wait_dequeue(s);
      if (s.name.empty())
        return;
      std::lock_guard<std::mutex> lk(mu_);
      --pending_[s.name];
      totals_[s.name] += s.value;
    }
  }

  bool poll_once() {
    std::lock_guard<std::mutex> lk(mu_);
    Sample s;
    if (!samples_.wait_dequeue_timed(s, std::chrono::milliseconds(50)))
      return false;
    totals_[s.name] += s.value;
    return true;
  }

private:
  std::mutex mu_;
  std::map<std::string, int> pending_;
  std::map<std::string, double> totals_;
  moodycamel::BlockingConcurrentQueue<Sample> samples_;
};
