// A source is lost only when one of its tokens reached work that waits on it
// (a thread, a callback, a callee) and this function created the stop state
// it leaves unrequested. Tokens kept in locals that are only queried, and
// handles to a stop state someone else owns (a jthread's, which ~jthread
// requests; a member's), are not lost. A token that a local carries on to a
// worker is.
#include <cassert>
#include <chrono>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace std::chrono_literals;

bool fetch(const std::string &url, std::stop_token st);
bool healthy();
void log_line(const std::string &s);

// The token goes into a local that is only asserted on and queried.
bool validate_config(const std::string &path) {
  std::stop_source src;
  auto tok = src.get_token();
  assert(tok.stop_possible());
  if (path.empty())
    return false;
  if (tok.stop_requested())
    log_line("stopped before validation");
  return healthy();
}

// A token copied into a second local, queried there.
int probe_states() {
  std::stop_source src;
  std::stop_token a = src.get_token();
  std::stop_token b = a;
  int n = 0;
  if (a.stop_possible())
    ++n;
  if (!b.stop_requested())
    ++n;
  return n;
}

// A handle to a jthread's own stop state: ~jthread requests stop on it.
void run_fetcher(const std::string &url) {
  std::jthread t([url](std::stop_token st) {
    while (!st.stop_requested() && !fetch(url, st))
      std::this_thread::sleep_for(100ms);
  });
  auto src = t.get_stop_source();
  std::thread watcher([tok = src.get_token(), url] { fetch(url + "/watch", tok); });
  watcher.detach();
  if (url.empty())
    return;
  log_line("fetching " + url);
}

// A copy of a member source: the object owns the state and stops it in
// shutdown().
class Downloader {
public:
  void start(const std::string &url) {
    std::stop_source s = stop_;
    workers_.emplace_back([url, tok = s.get_token()] { fetch(url, tok); });
  }
  void shutdown() {
    stop_.request_stop();
    for (auto &w : workers_)
      w.join();
    workers_.clear();
  }
  ~Downloader() { shutdown(); }

private:
  std::stop_source stop_;
  std::vector<std::thread> workers_;
};

// A token kept in a local and then given to a worker: handed out, and the
// early return leaves the worker unstoppable.
bool mirror(const std::string &url) {
  std::stop_source src; // want cancel-lost "the stop source 'src' is not requested to stop on all paths"
  std::stop_token tok = src.get_token(); // want-note "a token is handed out here"
  std::thread t([url, tok] { fetch(url, tok); });
  t.detach();
  if (!healthy())
    return false; // want-note "this return statement may be reached without requesting stop"
  src.request_stop();
  return true;
}

// A token kept in a local and passed to a callee that waits on it.
bool fetch_twice(const std::string &url) {
  std::stop_source src; // want cancel-lost "the stop source 'src' is not requested to stop on all paths"
  auto tok = src.get_token(); // want-note "a token is handed out here"
  std::thread t(fetch, url, tok);
  t.detach();
  if (url.size() > 100)
    return false; // want-note "this return statement may be reached without requesting stop"
  src.request_stop();
  return true;
}
