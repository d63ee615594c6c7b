// Which thread each step runs in: the write and the notify are in the
// function that sets the flag (the primary location's thread), the read
// and the wait in the function that waits, a thread of its own.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

void write_batch(const std::vector<std::string> &lines);

class Batcher {
public:
  Batcher() {
    flusher_ = std::thread([this] { flush_loop(); });
  }
  ~Batcher() {
    stop_ = true; // want cancel-lost-wakeup "'stop_' is set without holding 'mu_'" thread "^thread running 'Batcher::~Batcher'$"
    more_.notify_one(); // want-note "the notify that can be lost" thread "^thread running 'Batcher::~Batcher'$"
    flusher_.join();
  }
  void add(std::string line) {
    std::lock_guard<std::mutex> g(mu_);
    pending_.push_back(std::move(line));
    more_.notify_one();
  }

private:
  void flush_loop() {
    std::unique_lock<std::mutex> lk(mu_);
    for (;;) {
      more_.wait(lk, [this] { return stop_ || !pending_.empty(); }); // want-note "the wait.s predicate reads 'stop_' here" thread "^thread waiting in 'Batcher::flush_loop'$" want-note "and waits here" thread "^thread waiting in 'Batcher::flush_loop'$"
      if (stop_ && pending_.empty())
        return;
      std::vector<std::string> batch(pending_.begin(), pending_.end());
      pending_.clear();
      lk.unlock();
      write_batch(batch);
      lk.lock();
    }
  }

  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable more_;
  std::deque<std::string> pending_;
  std::thread flusher_;
};

// The waiter is a lambda; the flag is set through a helper.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<bool> open{false};
  void set_open() { open = true; } // want cancel-lost-wakeup "'open' is set in 'Gate::set_open' without holding 'mu'" thread "^thread running 'release'$"
};

void release(const std::shared_ptr<Gate> &g) {
  g->set_open(); // want-note "set through this call to 'set_open'" thread "^thread running 'release'$"
  g->cv.notify_all();
}

void wait_at(const std::shared_ptr<Gate> &g) {
  std::thread([g] {
    std::unique_lock<std::mutex> lk(g->mu);
    g->cv.wait(lk, [&] { return g->open.load(); }); // want-note "the wait.s predicate reads 'open' here" thread "^thread waiting in a lambda in 'wait_at'$"
  }).detach();
}
