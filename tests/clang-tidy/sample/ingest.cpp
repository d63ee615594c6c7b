// An ingest service: a jthread drains a queue of lines and stores them. The
// waits below must be woken by a stop request; some are not.
#include "pipeline.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

using namespace std::chrono_literals;

class Ingest {
public:
  Ingest() : worker_([this](std::stop_token st) { drain(st); }) {}

  void push(std::string line) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      lines_.push_back(std::move(line));
    }
    ready_.notify_one();
  }

private:
  void drain(std::stop_token st) {
    while (!st.stop_requested()) {
      std::unique_lock<std::mutex> lk(mu_);
      ready_.wait(lk, [this] { return !lines_.empty(); }); // expect: cancel-uninterruptible-wait
      std::string line = std::move(lines_.front());
      lines_.pop_front();
      lk.unlock();
      Record r = parse(line);
      store(r); // expect: cancel-dropped-token
    }
  }

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::string> lines_;
  std::jthread worker_;
};

// The same queue done right: condition_variable_any takes the token, and
// the token is passed on to the store.
class StoppableIngest {
public:
  StoppableIngest() : worker_([this](std::stop_token st) { drain(st); }) {}

  void push(std::string line) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      lines_.push_back(std::move(line));
    }
    ready_.notify_one();
  }

private:
  void drain(std::stop_token st) {
    while (!st.stop_requested()) {
      std::unique_lock<std::mutex> lk(mu_);
      if (!ready_.wait(lk, st, [this] { return !lines_.empty(); }))
        return;
      std::string line = std::move(lines_.front());
      lines_.pop_front();
      lk.unlock();
      store(parse(line), st);
    }
  }

  std::mutex mu_;
  std::condition_variable_any ready_;
  std::deque<std::string> lines_;
  std::jthread worker_;
};

// A health probe that sleeps between rounds: a long constant sleep delays
// the stop by that much.
void probe_loop(std::stop_token st) {
  while (!st.stop_requested()) {
    if (!healthy())
      log_line("backend unhealthy");
    std::this_thread::sleep_for(30s); // expect: cancel-uninterruptible-wait
  }
}

// Short pauses are fine.
void poll_loop(std::stop_token st) {
  while (!st.stop_requested()) {
    if (!healthy())
      log_line("backend unhealthy");
    std::this_thread::sleep_for(200ms);
  }
}

// A probe that is known to be stopped only at shutdown, where waiting for
// the last round is accepted.
void shutdown_probe(std::stop_token st) {
  while (!st.stop_requested()) {
    log_line("shutdown probe");
    std::this_thread::sleep_for(10s); // NOLINT(tether-cancel-uninterruptible-wait)
  }
}
