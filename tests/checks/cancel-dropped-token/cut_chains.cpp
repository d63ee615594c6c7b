// Functions that received a stop token and call code that takes one, but give
// it a token that can never be stopped: the caller's stop request is lost.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

struct Request {
  std::string path;
  int retries = 0;
};
struct Response {
  int status = 0;
  std::string body;
};

Response http_get(const std::string &url, std::stop_token st);
bool write_cache(const std::string &key, const Response &r,
                 std::stop_token st = {});

class Frontend {
public:
  // A default-constructed token deep inside the call chain.
  Response handle(const Request &req, std::stop_token st) { // want-note "the token this function received"
    if (st.stop_requested())
      return {};
    Response r = http_get(backend_ + req.path, std::stop_token{}); // want cancel-dropped-token "'http_get' is given a default-constructed stop token instead of 'st'"
    if (r.status == 200)
      write_cache(req.path, r); // want cancel-dropped-token "'write_cache' is called without a stop token: its default argument is a default-constructed stop token, not 'st'"
    return r;
  }

  // A token of a temporary source is never stopped either.
  Response retry(const Request &req, std::stop_token st) { // want-note "the token this function received"
    Response r;
    for (int i = 0; i <= req.retries && !st.stop_requested(); ++i) {
      r = http_get(backend_ + req.path, std::stop_source{}.get_token()); // want cancel-dropped-token "'http_get' is given a token of a temporary stop source instead of 'st'"
      if (r.status == 200)
        break;
    }
    return r;
  }

private:
  std::string backend_ = "http://backend";
};

// A new local source that nothing requests: the same as no token.
class Prefetcher {
public:
  void prefetch(const std::vector<Request> &reqs, std::stop_token st) { // want-note "the token this function received"
    std::stop_source mine;
    for (const Request &r : reqs) {
      if (st.stop_requested())
        return;
      http_get(r.path, mine.get_token()); // want cancel-dropped-token "'http_get' is given a token of 'mine' .a local stop source nothing requests. instead of 'st'"
    }
  }
};

// A jthread body with a token calls a helper with braces: `{}` is a fresh
// token.
class Indexer {
public:
  void start() {
    worker_ = std::jthread([this](std::stop_token st) { // want-note "the token this function received"
      while (!st.stop_requested()) {
        Request next{"/next", 0};
        Response r = http_get(next.path, {}); // want cancel-dropped-token "'http_get' is given a default-constructed stop token instead of 'st'"
        index(r);
      }
    });
  }

private:
  void index(const Response &r) { bytes_ += r.body.size(); }
  std::size_t bytes_ = 0;
  std::jthread worker_;
};

// A named local token that only ever holds a default token.
bool refresh_all(const std::vector<std::string> &keys, std::stop_token st) { // want-note "the token this function received"
  std::stop_token none;
  for (const auto &k : keys) {
    if (st.stop_requested())
      return false;
    Response r = http_get(k, none); // want cancel-dropped-token "'http_get' is given 'none' .a default-constructed stop token. instead of 'st'"
    write_cache(k, r, st);
  }
  return true;
}
