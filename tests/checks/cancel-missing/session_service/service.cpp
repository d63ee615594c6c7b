#include "service.h"

#include <chrono>

void handle(const Request &r);
void append_to_log(const std::string &line);

void RequestQueue::push(Request r) {
  {
    std::lock_guard<std::mutex> g(mu_);
    q_.push(std::move(r));
  }
  cv_.notify_one();
}

Request RequestQueue::pop() {
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait(lk, [this] { return !q_.empty(); });
  Request r = std::move(q_.front());
  q_.pop();
  return r;
}

SessionService::SessionService()
    : server_([this](std::stop_token st) { serve(st); }), // want-note "thread started here"
      auditor_([this] { writeAudit(); }) {}

// The token is handed down and then ignored: ~SessionService hangs.
void SessionService::serve(std::stop_token st) { // want-note "stop token ignored here"
  for (;;) { // want cancel-missing "loops forever around a blocking cond wait.*stop token is never checked"
    Request r = requests_.pop(); // want-note "blocks here \(cond wait, in 'pop'\)"
    handle(r);
  }
}

// Ends when the audit channel is closed... except that nothing reads the
// receive's result, so it never does.
void SessionService::writeAudit() {
  while (true) { // want cancel-missing "loops forever around a blocking channel receive"
    std::string line;
    audit_.read(line);
    append_to_log(line);
  }
}

void Janitor::start() {
  th_ = std::thread([this] { sweep(); });
}

void Janitor::sweep() {
  std::unique_lock<std::mutex> lk(mu_);
  for (;;) {
    cv_.wait_for(lk, std::chrono::seconds(30),
                 [this] { return stopping_.load(); });
    if (stopping_)
      return;
  }
}

void Janitor::stop() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  th_.join();
}
