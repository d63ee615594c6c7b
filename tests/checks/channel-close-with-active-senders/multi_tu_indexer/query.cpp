// Consumers in another translation unit: they only receive.
#include "indexer.h"

std::vector<Posting> drain(Indexer &ix) {
  std::vector<Posting> out;
  auto ch = ix.postings();
  Posting p;
  while (ch->pop(p) == boost::fibers::channel_op_status::success)
    out.push_back(p);
  return out;
}

std::vector<Posting> build(const std::vector<std::string> &docs) {
  Indexer ix(4);
  std::thread reader([&ix] { drain(ix); });
  ix.index(docs);
  reader.join();
  return {};
}
