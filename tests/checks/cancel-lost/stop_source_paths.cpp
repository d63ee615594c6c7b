// Local std::stop_sources whose tokens go to workers, with a path that leaves
// the function without request_stop(): the workers can never be stopped.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

struct Chunk {
  std::string url;
  std::size_t offset = 0;
};

bool fetch_chunk(const Chunk &c, std::stop_token st);
bool verify(const std::vector<Chunk> &chunks);

// An early error return skips the request_stop() at the end.
class Downloader {
public:
  bool download_all(const std::vector<Chunk> &chunks) {
    std::stop_source cancel; // want cancel-lost "the stop source 'cancel' is not requested to stop on all paths"
    for (const Chunk &c : chunks)
      workers_.emplace_back([&c, tok = cancel.get_token()] { fetch_chunk(c, tok); }); // want-note "a token is handed out here" want thread-unbounded-spawn "a range over parameter 'chunks'"
    if (!verify(chunks))
      return false; // want-note "this return statement may be reached without requesting stop"
    cancel.request_stop();
    for (auto &t : workers_)
      t.join();
    workers_.clear();
    return true;
  }

private:
  std::vector<std::thread> workers_;
};

// The timeout path returns; only the success path requests stop.
std::optional<int> compute_with_deadline(int input) {
  std::stop_source src; // want cancel-lost "the stop source 'src' is not requested to stop on all paths"
  auto fut = std::async(std::launch::async, [input](std::stop_token st) {
    int acc = 0;
    for (int i = 0; i < input && !st.stop_requested(); ++i)
      acc += i;
    return acc;
  }, src.get_token()); // want-note "a token is handed out here"
  if (fut.wait_for(50ms) == std::future_status::timeout)
    return std::nullopt; // want-note "this return statement may be reached without requesting stop"
  src.request_stop();
  return fut.get();
}

// A worker pool that hands the token to each thread and detaches them; the
// function just falls off its end.
class Poller {
public:
  void start(int n) {
    std::stop_source stop; // want cancel-lost "the stop source 'stop' is not requested to stop on all paths"
    for (int i = 0; i < n; ++i) {
      std::thread t(&Poller::poll, this, stop.get_token()); // want-note "a token is handed out here"
      t.detach(); // want thread-leak "uses 'this' of 'Poller'"
    }
    started_ = n;
  } // want-note "the end of the function may be reached without requesting stop"

private:
  void poll(std::stop_token st) {
    while (!st.stop_requested())
      std::this_thread::sleep_for(10ms);
  }
  int started_ = 0;
};

// The token is stored in a shared job record; one branch forgets to cancel
// before returning.
struct Job {
  std::stop_token token;
  std::function<void(std::stop_token)> body;
};

class Scheduler {
public:
  bool submit_batch(std::vector<std::function<void(std::stop_token)>> bodies,
                    bool dry_run) {
    std::stop_source batch; // want cancel-lost "the stop source 'batch' is not requested to stop on all paths"
    for (auto &b : bodies) {
      auto job = std::make_shared<Job>();
      job->token = batch.get_token(); // want-note "a token is handed out here"
      job->body = std::move(b);
      queue_.push_back(job);
    }
    if (dry_run) {
      queue_.clear();
      return true; // want-note "this return statement may be reached without requesting stop"
    }
    run_all();
    batch.request_stop();
    return true;
  }

private:
  void run_all() {
    for (auto &j : queue_)
      j->body(j->token);
  }
  std::vector<std::shared_ptr<Job>> queue_;
};
