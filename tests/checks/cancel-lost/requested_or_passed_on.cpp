// Sources that are requested on every path, or passed on to an owner: not
// lost. No finding expected in this file.
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace std::chrono_literals;

bool fetch(const std::string &url, std::stop_token st);
bool healthy();

// Requested on every path, the early return included.
class Crawler {
public:
  bool crawl(const std::vector<std::string> &urls) {
    std::stop_source cancel;
    std::vector<std::thread> threads;
    for (const auto &u : urls)
      threads.emplace_back([&u, tok = cancel.get_token()] { fetch(u, tok); });  // want thread-unbounded-spawn "parameter 'urls' of 'crawl', whose size comes from its callers"
    if (!healthy()) {
      cancel.request_stop();
      for (auto &t : threads)
        t.join();
      return false;
    }
    cancel.request_stop();
    for (auto &t : threads)
      t.join();
    return true;
  }
};

// Moved into a member: the object owns it and requests stop later.
class Service {
public:
  void start() {
    std::stop_source src;
    worker_ = std::thread([tok = src.get_token()] {
      while (!tok.stop_requested())
        std::this_thread::sleep_for(5ms);
    });
    stop_ = std::move(src);
  }
  ~Service() {
    stop_.request_stop();
    if (worker_.joinable())
      worker_.join();
  }

private:
  std::stop_source stop_;
  std::thread worker_;
};

// Returned to the caller, who owns it from now on.
std::stop_source start_background(std::vector<std::thread> &out) {
  std::stop_source src;
  out.emplace_back([tok = src.get_token()] { fetch("bg", tok); });
  if (out.size() > 8)
    return src;
  return src;
}

// Passed by reference to a helper that registers it.
class Registry {
public:
  void adopt(std::stop_source &s) { sources_.push_back(s); }
  void stop_all() {
    for (auto &s : sources_)
      s.request_stop();
  }

private:
  std::vector<std::stop_source> sources_;
};

void spawn_registered(Registry &reg, const std::string &url) {
  if (url.empty())
    return;
  std::stop_source src;
  reg.adopt(src);
  std::thread([url, tok = src.get_token()] { fetch(url, tok); }).detach();
}

// std::jthread requests stop in its destructor.
void with_jthread(const std::string &url) {
  std::jthread t([url](std::stop_token st) { fetch(url, st); });
  if (url.empty())
    return;
  std::stop_token tok = t.get_stop_token();
  fetch(url + "/again", tok);
}

// Tokens never leave the function: nothing can wait on them.
bool self_check() {
  std::stop_source src;
  if (src.stop_possible() && !src.get_token().stop_requested())
    return healthy();
  return false;
}

// Only a stop_callback on its own token: nothing is handed out.
int count_callbacks() {
  std::stop_source src;
  int fired = 0;
  std::stop_callback cb(src.get_token(), [&fired] { ++fired; });
  if (healthy())
    return fired;
  return -1;
}

// Stored in a shared state that outlives the function (the worker owns it).
struct Task {
  std::stop_source source;
  std::thread thread;
};

std::shared_ptr<Task> launch(const std::string &url) {
  std::stop_source src;
  auto task = std::make_shared<Task>();
  task->thread = std::thread([url, tok = src.get_token()] { fetch(url, tok); });
  task->source = src;
  return task;
}

// A scope guard requests stop on every way out.
template <typename F> struct ScopeExit {
  F f;
  ~ScopeExit() { f(); }
};
template <typename F> ScopeExit(F) -> ScopeExit<F>;

bool guarded(const std::vector<std::string> &urls) {
  std::stop_source src;
  ScopeExit stop{[&src] { src.request_stop(); }};
  std::vector<std::jthread> ts;
  for (const auto &u : urls)
    ts.emplace_back([&u, tok = src.get_token()] { fetch(u, tok); });  // want thread-unbounded-spawn "parameter 'urls' of 'guarded', whose size comes from its callers"
  if (!healthy())
    return false;
  return true;
}

// A throw leaves through the exception path: not a lost request here.
void strict(const std::string &url) {
  std::stop_source src;
  std::thread t([url, tok = src.get_token()] { fetch(url, tok); });
  t.detach();
  if (url.empty())
    throw std::invalid_argument("empty url");
  src.request_stop();
}

// Stop is requested only on error; every path joins the workers before it
// returns, so no token outlives the function.
class BatchRunner {
public:
  int run(const std::vector<std::string> &urls) {
    std::stop_source on_error;
    std::vector<std::thread> workers;
    for (const auto &u : urls)
      workers.emplace_back([&u, tok = on_error.get_token()] { fetch(u, tok); });  // want thread-unbounded-spawn "parameter 'urls' of 'run', whose size comes from its callers"
    if (!healthy())
      on_error.request_stop();
    for (auto &t : workers)
      t.join();
    return int(urls.size());
  }
};

// A future waited for on the early path, the source requested on the other.
int first_result(const std::string &url) {
  std::stop_source src;
  auto fut = std::async(std::launch::async, [url](std::stop_token st) {
    return fetch(url, st) ? 1 : 0;
  }, src.get_token());
  if (url.size() < 4)
    return fut.get();
  src.request_stop();
  return fut.get();
}
