// An indexer whose shard workers take a stop token. The workers are defined in
// indexer.cpp; builder.cpp starts them with tokens of local sources.
#pragma once
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

struct Shard {
  std::string path;
  int id = 0;
};

// Indexes one shard until done or stopped.
void index_shard(const Shard &s, std::stop_token st);
bool disk_full();

class IndexBuilder {
public:
  bool build(const std::vector<Shard> &shards);
  void build_async(const std::vector<Shard> &shards);
  void stop();

private:
  std::stop_source running_;
  std::vector<std::thread> threads_;
};
