// Thread bodies that loop forever around a blocking operation and that no
// stop request, closed channel or stop flag can end.
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <queue>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <msd/channel.hpp>

using namespace std::chrono_literals;

// A blocking queue of the application (no model): pop() waits on a
// condition variable until an element arrives.
template <typename T> class BlockingQueue {
public:
  void push(T v) {
    {
      std::lock_guard<std::mutex> g(mu_);
      items_.push(std::move(v));
    }
    cv_.notify_one();
  }
  T pop() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return !items_.empty(); });
    T v = std::move(items_.front());
    items_.pop();
    return v;
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::queue<T> items_;
};

struct Job {
  int id = 0;
  std::string payload;
};
void run(const Job &j);
void handle(const std::string &line);
void flush_metrics();

// The spec's shape: the jthread passes a stop token and the body ignores it.
// ~jthread requests stop and joins: the join never returns.
BlockingQueue<Job> jobs;
void start_jobs() {
  std::jthread t([](std::stop_token) { // want-note "stop token ignored here"
    for (;;) { // want cancel-missing "loops forever around a blocking cond wait.*stop token is never checked.*join will hang"
      auto j = jobs.pop(); // want-note "blocks here \(cond wait, in 'pop'\)"
      run(j);
    }
  });
}

// A named token, still never looked at.
class Dispatcher {
public:
  Dispatcher()
      : worker_([this](std::stop_token st) { // want-note "thread started here"
          loop(st);
        }) {}

private:
  void loop(std::stop_token st) {
    while (true) { // want cancel-missing "loops forever around a blocking channel receive"
      std::string msg;
      inbox_ >> msg; // want-note "blocks here \(channel receive\)" want cancel-uninterruptible-wait "receive on channel 'inbox_' cannot be interrupted"
      handle(msg);
    }
  }
  msd::channel<std::string> inbox_;
  std::jthread worker_;
};

// A detached logger: the receive's result is ignored, so closing the channel
// only turns the loop into a busy spin. Detached, it has no owner to hang:
// thread-leak reports it.
void start_logger(std::shared_ptr<msd::channel<std::string>> lines) {
  std::thread([lines] {
    for (;;) {
      std::string line;
      lines->read(line);
      handle(line);
    }
  }).detach(); // want thread-leak "endless loop"
}

// A socket reader that ignores the end of the stream and errors.
class Connection {
public:
  explicit Connection(int fd) : fd_(fd) {
    reader_ = std::thread(&Connection::readLoop, this);
  }
  ~Connection() { reader_.join(); }

private:
  void readLoop() {
    char buf[512];
    while (1) { // want cancel-missing "loops forever around a blocking IO wait"
      long n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0)
        handle(std::string(buf, static_cast<size_t>(n)));
    }
  }
  int fd_;
  std::thread reader_;
};

// A periodic task started with std::async: the future's destructor waits
// for a loop that never ends.
class MetricsReporter {
public:
  void start() {
    done_ = std::async(std::launch::async, [this] {
      for (;;) { // want cancel-missing "loops forever around a blocking sleep"
        std::this_thread::sleep_for(10s);
        flush_metrics();
        ++reports_;
      }
    });
  }

private:
  std::future<void> done_;
  int reports_ = 0;
};

// A pool whose workers wait for tasks but have no stop flag at all.
class NaivePool {
public:
  explicit NaivePool(size_t n) {
    for (size_t i = 0; i < n; ++i)
      workers_.emplace_back([this] {
        for (;;) { // want cancel-missing "loops forever around a blocking cond wait"
          std::function<void()> task;
          {
            std::unique_lock<std::mutex> lk(mu_);
            cv_.wait(lk, [this] { return !tasks_.empty(); });
            task = std::move(tasks_.front());
            tasks_.pop();
          }
          task();
        }
      });
  }
  ~NaivePool() {
    for (auto &w : workers_)
      w.join();
  }

private:
  std::vector<std::thread> workers_;
  std::queue<std::function<void()>> tasks_;
  std::mutex mu_;
  std::condition_variable cv_;
};

// A condition nobody else can change: a local that the loop never writes.
void pump(msd::channel<int> &in, BlockingQueue<int> &out) {
  bool running = true;
  while (running) {
    int v = 0;
    in.read(v);
    out.push(v * 2);
  }
}
void start_pump(msd::channel<int> &in, BlockingQueue<int> &out) {
  std::thread t(pump, std::ref(in), std::ref(out));
  t.detach(); // want thread-leak "endless loop"
}
