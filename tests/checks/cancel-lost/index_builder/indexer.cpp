#include "indexer.h"

#include <chrono>

void index_shard(const Shard &s, std::stop_token st) {
  for (int block = 0; block < 1000 + s.id && !st.stop_requested(); ++block)
    std::this_thread::sleep_for(std::chrono::microseconds(10));
}

bool disk_full() { return false; }

// Passed on: the member owns the source and stop() requests it.
void IndexBuilder::build_async(const std::vector<Shard> &shards) {
  std::stop_source src;
  for (const Shard &s : shards)
    threads_.emplace_back(index_shard, s, src.get_token());  // want thread-unbounded-spawn "a range over parameter 'shards'"
  running_ = src;
}

void IndexBuilder::stop() {
  running_.request_stop();
  for (auto &t : threads_)
    t.join();
  threads_.clear();
}
