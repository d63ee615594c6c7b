// The bug needs worker.cpp: every crawl_site() instance closes the shared
// channel while the others may still send on it.
// Currently: missed (a thread body defined in another translation unit is
// not linked in), and the range-for below is reported as channel-unclosed
// for the same reason (the close is in crawl_site()).
#include "crawl.h"
#include <functional>
#include <thread>

std::vector<std::string> crawl_all(const std::vector<std::string> &sites) {
  Links links{64};
  std::vector<std::thread> ts;
  for (const auto &s : sites)
    ts.emplace_back(crawl_site, std::ref(links), s);  // want-note "senders started here"  want thread-unbounded-spawn "parameter 'sites' of 'crawl_all', whose size comes from its callers"
  for (auto &t : ts)
    t.join();
  std::vector<std::string> out;
  for (const auto &l : links)
    out.push_back(l);
  return out;
}
