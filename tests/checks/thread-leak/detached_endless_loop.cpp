// Detached threads whose body loops forever with no way out: nothing can
// ever stop them (no flag, no break, no return), and nothing waits for them.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

using namespace std::chrono_literals;

void flush_metrics();
void push_heartbeat(const std::string &host);

class Uploader {
public:
  static std::shared_ptr<Uploader> create() {
    return std::shared_ptr<Uploader>(new Uploader);
  }

  void enqueue(std::string item) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      queue_.push_back(std::move(item));
    }
    cv_.notify_one();
  }

  // Captures only a shared_ptr (the object stays alive), but the loop has
  // no exit: the thread can never be stopped.
  void start(std::shared_ptr<Uploader> self) {
    std::thread([self] { self->drain(); }).detach(); // want thread-leak "detached thread runs an endless loop with no way to stop it"
  }

private:
  Uploader() = default;
  void drain() {
    for (;;) {                                       // want-note "loops forever here"
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [this] { return !queue_.empty(); });
      std::string item = std::move(queue_.front());
      queue_.pop_front();
      lk.unlock();
      push_heartbeat(item);
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
};

void start_metrics() {
  std::thread flusher([] {
    while (true) {
      std::this_thread::sleep_for(1s);
      flush_metrics();
    }
  });
  flusher.detach(); // want thread-leak "endless loop"
}

static void heartbeat_loop(std::string host) {
  do {
    push_heartbeat(host);
    std::this_thread::sleep_for(5s);
  } while (1);
}

void start_heartbeat(const std::string &host) {
  std::thread(heartbeat_loop, host).detach(); // want thread-leak "endless loop"
}
