// Consumers in another translation unit: they only receive.
#include "indexer.h"

std::vector<Posting> drain(PostingChan &ch) {
  std::vector<Posting> out;
  Posting p;
  while (ch.pop(p) == boost::fibers::channel_op_status::success)
    out.push_back(p);
  return out;
}

std::vector<Posting> build(const std::vector<std::string> &docs) {
  Indexer ix(4);
  std::thread reader([&ix] { drain(*ix.postings()); });
  ix.index(docs);
  reader.join();
  return {};
}
