// Thread members owned through a smart pointer (`std::shared_ptr<std::thread>`,
// `std::unique_ptr<std::thread>`): the pointer's last owner destroys the
// thread, so a thread started into it and never joined terminates the
// program when the object holding the pointer dies. When the class has a
// destructor, that is where the join belongs and where the finding is.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

void poll_signals(std::atomic<bool> &stop);
void export_metrics(const std::string &target);

// The destructor stops the loop the thread runs but never joins it: the
// shared_ptr then destroys a joinable std::thread.
class SignalWatcher {
public:
  SignalWatcher() = default;
  ~SignalWatcher() { // want thread-leak "std::thread member 'watcher_' \(owned through std::shared_ptr\) is never joined or detached; destroying a 'SignalWatcher' while the thread runs calls std::terminate"
    if (watcher_)
      stop_ = true;
  }

  void start() {
    watcher_.reset(new std::thread([this] { poll_signals(stop_); })); // want-note "thread started here"
  }

private:
  std::atomic<bool> stop_{false};
  std::shared_ptr<std::thread> watcher_; // want-note "member declared here"
};

// No destructor: the finding is on the member.
class MetricsExporter {
public:
  explicit MetricsExporter(std::string target) : target_(std::move(target)) {}
  void begin() {
    thread_.reset(new std::thread(export_metrics, target_)); // want-note "thread started here"
  }

private:
  std::string target_;
  std::unique_ptr<std::thread> thread_; // want thread-leak "std::thread member 'thread_' \(owned through std::unique_ptr\) is never joined or detached; destroying a 'MetricsExporter'"
};

// Joined through the pointer in the destructor: quiet.
class Heartbeat {
public:
  Heartbeat() = default;
  ~Heartbeat() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_ && thread_->joinable())
      thread_->join();
  }
  void start() {
    thread_.reset(new std::thread([this] {
      std::unique_lock<std::mutex> lk(mu_);
      while (!stop_)
        cv_.wait_for(lk, std::chrono::seconds(1));
    }));
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::shared_ptr<std::thread> thread_;
};

// Joined in stop(), which the destructor calls: quiet.
class Uploader {
public:
  ~Uploader() { stop(); }
  void start() { worker_.reset(new std::thread([this] { run(); })); }
  void stop() {
    done_ = true;
    if (worker_)
      worker_->join();
    worker_.reset();
  }

private:
  void run() {
    while (!done_)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::atomic<bool> done_{false};
  std::shared_ptr<std::thread> worker_;
};

// The pointer is handed out: whoever holds the last copy decides.
class Spawner {
public:
  std::shared_ptr<std::thread> launch() {
    t_.reset(new std::thread([] { export_metrics("stdout"); }));
    return t_;
  }

private:
  std::shared_ptr<std::thread> t_;
};

// A weak pointer owns nothing: not a thread member of its own.
class Observer {
public:
  void watch(const std::shared_ptr<std::thread> &t) { seen_ = t; }

private:
  std::weak_ptr<std::thread> seen_;
};

int main() {
  SignalWatcher w;
  w.start();
  MetricsExporter m("stdout");
  m.begin();
  Heartbeat h;
  h.start();
  Uploader u;
  u.start();
  Spawner s;
  auto t = s.launch();
  t->join();
  Observer o;
  o.watch(t);
}
