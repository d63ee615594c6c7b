// P2300's inplace_stop_source, as stdexec spells it. Debian ships no
// stdexec: compiled against faithful declarations of its API
// (tests/checks/include/stdexec/stop_token.hpp).
#include <stdexec/stop_token.hpp>

#include <functional>
#include <string>
#include <thread>
#include <vector>

struct Page {
  std::string url;
  int depth = 0;
};

bool fetch(const Page &p, stdexec::inplace_stop_token st);
bool robots_allow(const std::string &host);
void log_cancelled(const std::string &url);

constexpr unsigned kWorkers = 4;

// Worker i fetches pages i, i + kWorkers, ... until one fails or stop is
// requested.
inline void fetch_stripe(const std::vector<Page> &pages, unsigned i,
                         stdexec::inplace_stop_token st) {
  for (std::size_t k = i; k < pages.size() && !st.stop_requested();
       k += kWorkers)
    if (!fetch(pages[k], st))
      return;
}

// --- must flag -------------------------------------------------------------

class Crawler {
public:
  // The early return leaves the fetch threads with a token nothing will
  // ever stop; the join below is never reached, so the workers run on.
  bool crawl_host(const std::string &host, const std::vector<Page> &pages) {
    stdexec::inplace_stop_source cancel; // want cancel-lost "the stop source 'cancel' is not requested to stop on all paths"
    std::vector<std::thread> workers;
    for (unsigned i = 0; i < kWorkers; ++i)
      workers.emplace_back([&pages, i, st = cancel.get_token()] { // want-note "a token is handed out here"
        fetch_stripe(pages, i, st);
      });
    if (!robots_allow(host)) {
      detach_all(workers);
      return false; // want-note "this return statement may be reached without requesting stop"
    }
    cancel.request_stop();
    for (auto &w : workers)
      w.join();
    return true;
  }

private:
  static void detach_all(std::vector<std::thread> &ws) {
    for (auto &w : ws)
      w.detach();
  }
};

// --- must not flag ---------------------------------------------------------

class PoliteCrawler {
public:
  bool crawl_host(const std::string &host, const std::vector<Page> &pages) {
    stdexec::inplace_stop_source cancel;
    std::vector<std::thread> workers;
    for (unsigned i = 0; i < kWorkers; ++i)
      workers.emplace_back([&pages, i, st = cancel.get_token()] {
        fetch_stripe(pages, i, st);
      });
    bool allowed = robots_allow(host);
    if (!allowed)
      cancel.request_stop(); // stop early, but every path joins
    for (auto &w : workers)
      w.join();
    return allowed;
  }

  // Registering a callback on the token hands nothing out: it runs here or
  // never.
  void watch(const Page &p) {
    stdexec::inplace_stop_source cancel;
    stdexec::inplace_stop_callback on_stop(cancel.get_token(),
                                           [&p] { log_cancelled(p.url); });
    if (p.depth > max_depth_)
      return;
    ++visited_;
  }

private:
  int max_depth_ = 3;
  int visited_ = 0;
};
