// moodycamel's BlockingConcurrentQueue has no close (real header, Debian's
// libconcurrentqueue-dev): consumers end on a sentinel or a timeout, so no
// loop over it waits for a close and none is asked for.
#include <concurrentqueue/blockingconcurrentqueue.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

struct Frame {
  int index = -1; // -1: the end of the stream
  std::vector<unsigned char> pixels;
};

void encode(const Frame &f);

// --- must not flag ---------------------------------------------------------

// The producer ends the encoder with a poison pill.
class Encoder {
public:
  Encoder() {
    worker_ = std::thread([this] {
      for (;;) {
        Frame f;
        frames_.wait_dequeue(f);
        if (f.index < 0)
          break;
        encode(f);
      }
    });
  }
  void push(Frame f) { frames_.enqueue(std::move(f)); }
  ~Encoder() {
    frames_.enqueue(Frame{});
    worker_.join();
  }

private:
  moodycamel::BlockingConcurrentQueue<Frame> frames_;
  std::thread worker_;
};

// A consumer that polls with a timeout and a stop flag.
int drain_until_stopped(
    std::shared_ptr<moodycamel::BlockingConcurrentQueue<std::string>> q,
    const std::atomic<bool> &stop) {
  int n = 0;
  while (!stop.load()) {
    std::string line;
    if (q->wait_dequeue_timed(line, std::chrono::milliseconds(100)))
      ++n;
  }
  return n;
}

// Drains until the producers have been quiet for 100 ms: the timeout, not a
// close, ends the loop.
std::vector<std::string> collect_burst(
    moodycamel::BlockingConcurrentQueue<std::string> &q) {
  std::vector<std::string> burst;
  std::string line;
  while (q.wait_dequeue_timed(line, std::chrono::milliseconds(100)))
    burst.push_back(std::move(line));
  return burst;
}

class BurstCollector {
public:
  void start() {
    worker_ = std::thread([this] {
      while (running_.load()) {
        std::vector<std::string> burst = collect_burst(lines_);
        if (!burst.empty())
          flushed_ += burst.size();
      }
    });
  }
  void add(std::string line) { lines_.enqueue(std::move(line)); }
  void stop() {
    running_ = false;
    worker_.join();
  }

private:
  moodycamel::BlockingConcurrentQueue<std::string> lines_;
  std::atomic<bool> running_{true};
  std::atomic<size_t> flushed_{0};
  std::thread worker_;
};

// Producer and consumer agree on the count: the consumer takes exactly that
// many items.
long sum_known(const std::vector<long> &values) {
  moodycamel::BlockingConcurrentQueue<long> q;
  std::thread producer([&q, &values] {
    for (long v : values)
      q.enqueue(v);
  });
  long sum = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    long v = 0;
    q.wait_dequeue(v);
    sum += v;
  }
  producer.join();
  return sum;
}
