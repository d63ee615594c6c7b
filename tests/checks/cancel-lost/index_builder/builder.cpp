#include "indexer.h"

// The disk-full path returns with the shard workers still running and no one
// able to stop them.
bool IndexBuilder::build(const std::vector<Shard> &shards) {
  std::stop_source cancel; // want cancel-lost "the stop source 'cancel' is not requested to stop on all paths"
  std::vector<std::thread> local;
  for (const Shard &s : shards) {
    local.emplace_back(index_shard, s, cancel.get_token()); // want-note "a token is handed out here"  want thread-unbounded-spawn "parameter 'shards' of 'build', whose size comes from its callers"
    if (disk_full()) {
      for (auto &t : local)
        t.detach();
      return false; // want-note "this return statement may be reached without requesting stop"
    }
  }
  cancel.request_stop();
  for (auto &t : local)
    t.join();
  return true;
}
