// A document indexer: shard workers send postings on one shared channel.
#pragma once
#include <boost/fiber/buffered_channel.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

struct Posting {
  std::string term;
  int doc = 0;
};
using PostingChan = boost::fibers::buffered_channel<Posting>;

class Indexer {
public:
  explicit Indexer(int shards) : shards_(shards) {}
  // Racy: each shard worker closes the shared channel (indexer.cpp).
  void index_racy(const std::vector<std::string> &docs);
  // Correct: the owner joins every shard, then closes (indexer.cpp).
  void index(const std::vector<std::string> &docs);
  std::shared_ptr<PostingChan> postings() const { return out_; }

private:
  int shards_;
  std::shared_ptr<PostingChan> out_ = std::make_shared<PostingChan>(256);
};

std::vector<Posting> drain(PostingChan &ch);
