// Fan-out of uploads: one thread per batch or per shard, sharing results
// through shared_ptr and members.
#include "pipeline.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

class Uploader {
public:
  // Every thread reads `i` by reference: it has moved on (or is gone) when
  // the thread runs.
  void upload_shards(const std::vector<Batch> &shards) {
    std::vector<std::thread> workers;
    for (std::size_t i = 0; i < 4 && i < shards.size(); ++i)
      workers.emplace_back([&shards, &i, this] { // expect: thread-loop-capture-by-ref
        count(upload(shards[i], stop_.get_token()));
      });
    for (auto &t : workers)
      t.join();
  }

  // One thread per batch the caller hands in: as many threads as input.
  void upload_all(const std::vector<Batch> &batches) {
    auto done = std::make_shared<std::atomic<int>>(0);
    for (const Batch &b : batches)
      std::thread([b, done, tok = stop_.get_token()] { // expect: thread-unbounded-spawn
        if (upload(b, tok))
          ++*done;
      }).detach();
    log_line("started " + std::to_string(batches.size()) + " uploads");
  }

  // A fixed pool works through the batches: bounded, and every capture is
  // by value or outlives the threads.
  void upload_pooled(const std::vector<Batch> &batches) {
    auto next = std::make_shared<std::atomic<std::size_t>>(0);
    std::vector<std::thread> pool;
    for (unsigned w = 0; w < 4; ++w)
      pool.emplace_back([&batches, next, this] {
        for (std::size_t i = (*next)++; i < batches.size(); i = (*next)++)
          count(upload(batches[i], stop_.get_token()));
      });
    for (auto &t : pool)
      t.join();
  }

  void stop() { stop_.request_stop(); }
  int uploaded() const { return uploaded_.load(); }

private:
  void count(bool ok) {
    if (ok)
      ++uploaded_;
  }

  std::stop_source stop_;
  std::atomic<int> uploaded_{0};
};

// A retry helper whose per-attempt thread is known to be bounded by the
// caller (at most three batches); the finding is suppressed on purpose.
void retry_each(const std::vector<Batch> &failed) {
  std::vector<std::thread> retries;
  for (const Batch &b : failed)
    // NOLINTNEXTLINE(tether-thread-unbounded-spawn)
    retries.emplace_back([b] { upload(b, std::stop_token{}); });
  for (auto &t : retries)
    t.join();
}
