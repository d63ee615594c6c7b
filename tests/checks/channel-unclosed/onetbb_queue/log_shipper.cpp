// oneTBB's concurrent_bounded_queue has no close: abort() is the only way to
// end a consumer blocked in pop(), which then throws tbb::user_abort.
// Compiled against the real oneTBB headers.
// requires-pkg: tbb
#include <oneapi/tbb/concurrent_queue.h>

#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

void upload_batch(const std::vector<std::string> &lines);

// --- must flag -------------------------------------------------------------

// The shipper's worker leaves its loop only on user_abort, and nothing ever
// aborts the queue: stop() joins a thread blocked in pop() forever.
class LogShipper {
public:
  void start() {
    worker_ = std::thread([this] { ship(); });
  }
  void log(std::string line) { lines_.push(std::move(line)); }
  void stop() {
    if (worker_.joinable())
      worker_.join();
  }

private:
  void ship() {
    std::vector<std::string> batch;
    for (;;) {
      std::string line;
      try {
        lines_.pop(line); // want channel-unclosed "no member function of its class closes it"
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

// A local queue shared with a producer thread: the producer finishes without
// aborting, so the consumer below waits for a user_abort that never comes.
int count_records(const std::vector<std::string> &paths) {
  auto q = std::make_shared<tbb::concurrent_bounded_queue<std::string>>();
  std::thread producer([q, paths] {
    for (const std::string &p : paths)
      q->push(p); // want channel-unclosed "never closed after this send"
  });
  int n = 0;
  try {
    for (;;) {
      std::string p;
      q->pop(p);
      ++n;
    }
  } catch (tbb::user_abort &) {
  }
  producer.join();
  return n;
}
