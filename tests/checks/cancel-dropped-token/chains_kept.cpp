// Tokens passed on, child scopes, and code without a token in scope: no
// finding expected in this file.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

struct Page {
  std::string url;
  std::string html;
};

Page load(const std::string &url, std::stop_token st);
void store(const Page &p, std::stop_token st = {});

// The token is forwarded everywhere.
class Spider {
public:
  void crawl(const std::vector<std::string> &urls, std::stop_token st) {
    for (const auto &u : urls) {
      if (st.stop_requested())
        return;
      Page p = load(u, st);
      store(p, st);
    }
  }
};

// A child scope: the function's own source, requested when the parent's
// token fires (and on its own deadline).
class DeadlineFetcher {
public:
  Page fetch(const std::string &url, std::stop_token parent) {
    std::stop_source child;
    std::stop_callback link(parent, [&child] { child.request_stop(); });
    std::jthread timer([&child](std::stop_token t) {
      std::this_thread::sleep_for(100ms);
      if (!t.stop_requested())
        child.request_stop();
    });
    return load(url, child.get_token());
  }
};

// A source the function requests itself: linked to the parent's token, and
// requested at once on the slow path.
Page load_or_give_up(const std::string &url, std::stop_token st, bool slow) {
  std::stop_source deadline;
  std::stop_callback link(st, [&deadline] { deadline.request_stop(); });
  if (slow)
    deadline.request_stop();
  return load(url, deadline.get_token());
}

// No token in scope: a fresh token is all there is.
void warm_cache(const std::vector<std::string> &urls) {
  for (const auto &u : urls)
    store(load(u, std::stop_token{}));
}

// A detached lambda that does not capture the token runs apart from the
// request on purpose (fire-and-forget audit log).
void crawl_and_audit(const std::string &url, std::stop_token st) {
  Page p = load(url, st);
  std::thread([p] { store(p, std::stop_token{}); }).detach();
}

// A lambda that captures the token and forwards it.
void crawl_async(const std::vector<std::string> &urls, std::stop_token st) {
  std::vector<std::jthread> ts;
  for (const auto &u : urls)
    ts.emplace_back([u, st] { store(load(u, st), st); });  // want thread-unbounded-spawn "parameter 'urls' of 'crawl_async', whose size comes from its callers"
}

// std::jthread requests stop when destroyed: its token is a real one.
void with_helper(const std::string &url, std::stop_token st) {
  std::jthread helper([](std::stop_token t) {
    while (!t.stop_requested())
      std::this_thread::sleep_for(1ms);
  });
  store(load(url, helper.get_stop_token()), st);
}

// The wait passes the token; plain std::condition_variable has no token
// overload.
class Latch {
public:
  void count_down() {
    std::lock_guard<std::mutex> g(mu_);
    if (--n_ == 0)
      cv_.notify_all();
  }
  bool wait(std::stop_token st) {
    std::unique_lock<std::mutex> lk(mu_);
    return cv_.wait(lk, st, [this] { return n_ == 0; });
  }
  void wait_plain(std::stop_token st) {
    std::unique_lock<std::mutex> lk(plain_mu_);
    // No token overload (not this check's finding), and nothing notifies
    // plain_cv_ on a stop request: cancel-uninterruptible-wait's.
    plain_cv_.wait(lk, [this, &st] { return done_ || st.stop_requested(); }); // want cancel-uninterruptible-wait "cannot be interrupted by a stop request"
  }

private:
  std::mutex mu_, plain_mu_;
  std::condition_variable_any cv_;
  std::condition_variable plain_cv_;
  int n_ = 1;
  bool done_ = false;
};

// A token overload delegating to the plain one of the same set.
class Buffer {
public:
  bool take(std::string &out);
  bool take(std::string &out, std::stop_token st) {
    if (st.stop_requested())
      return false;
    return take(out);
  }
};

// A token parameter left unnamed: the function implements an interface and
// ignores the token on purpose.
struct Stage {
  virtual ~Stage() = default;
  virtual void run(const std::string &url, std::stop_token st) = 0;
};
struct OneShot : Stage {
  void run(const std::string &url, std::stop_token) override {
    store(load(url, std::stop_token{}));
  }
};
