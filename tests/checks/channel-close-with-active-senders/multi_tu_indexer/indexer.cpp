#include "indexer.h"

void Indexer::index_racy(const std::vector<std::string> &docs) {
  std::vector<std::thread> ws;
  for (int s = 0; s < shards_; ++s)
    ws.emplace_back([this, &docs, s] {  // want-note "senders started here"
      for (std::size_t d = s; d < docs.size(); d += shards_)
        out_->push(Posting{docs[d], static_cast<int>(d)});  // want-note "concurrent send"
      out_->close();  // want channel-close-with-active-senders "each of several concurrent senders"
    });
  for (auto &w : ws)
    w.join();
}

void Indexer::index(const std::vector<std::string> &docs) {
  std::vector<std::thread> ws;
  for (int s = 0; s < shards_; ++s)
    ws.emplace_back([this, &docs, s] {
      for (std::size_t d = s; d < docs.size(); d += shards_)
        out_->push(Posting{docs[d], static_cast<int>(d)});
    });
  for (auto &w : ws)
    w.join();
  out_->close();
}
