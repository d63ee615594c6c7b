// A pipeline stage that owns its input queue: the worker drains it with
// `while (auto job = in_.pop())`, so something must close it.
#include "work_queue.h"

#include <functional>
#include <thread>
#include <utility>

using Job = std::function<void()>;

// --- must flag -------------------------------------------------------------

class Stage {
public:
  Stage() {
    worker_ = std::thread([this] {
      while (auto job = in_.pop()) // want channel-unclosed "no member function of its class closes it"
        (*job)();
    });
  }
  void submit(Job j) { in_.push(std::move(j)); }
  ~Stage() { worker_.join(); } // hangs: the worker never leaves its loop

private:
  acme::WorkQueue<Job> in_;
  std::thread worker_;
};

// --- must not flag ---------------------------------------------------------

class ClosingStage {
public:
  ClosingStage() {
    worker_ = std::thread([this] {
      for (;;) {
        Job job;
        try {
          in_.pull(job);
        } catch (acme::queue_closed &) {
          return;
        }
        job();
      }
    });
  }
  void submit(Job j) { in_.push(std::move(j)); }
  ~ClosingStage() {
    in_.close();
    worker_.join();
  }

private:
  acme::WorkQueue<Job> in_;
  std::thread worker_;
};

void use_stages() {
  Stage s;
  s.submit([] {});
  ClosingStage c;
  c.submit([] {});
}
