// Thread bodies with a way out: a stop token, a closed channel, a stop flag,
// a poison pill, a sentinel, or a loop that ends by itself.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <msd/channel.hpp>

using namespace std::chrono_literals;

struct Job {
  int id = 0;
  bool stop = false;
  bool is_stop() const { return stop; }
};
void run(const Job &j);
void handle(const std::string &s);

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

// The token decides the loop.
BlockingQueue<Job> jobs;
void start_jobs() {
  std::jthread t([](std::stop_token st) {
    while (!st.stop_requested()) {
      auto j = jobs.pop();
      run(j);
    }
  });
}

// Range-for over a channel that the producer closes.
void consume(std::shared_ptr<msd::channel<int>> ch) {
  std::thread producer([ch] {
    for (int i = 0; i < 100; ++i)
      ch->write(i);
    ch->close();
  });
  std::thread consumer([ch] {
    for (int v : *ch)
      run(Job{v});
  });
  producer.join();
  consumer.join();
}

// Returns when the stop flag is set; stop() sets it and wakes the sleeper.
class Poller {
public:
  void start() {
    worker_ = std::thread([this] {
      for (;;) {
        if (stop_.load())
          return;
        std::this_thread::sleep_for(50ms);
        poll();
      }
    });
  }
  void stop() {
    stop_.store(true);
    worker_.join();
  }

private:
  void poll();
  std::atomic<bool> stop_{false};
  std::thread worker_;
};

// Poison pill: the owner sends a stop job.
class Executor {
public:
  Executor() : worker_([this] { loop(); }) {}
  ~Executor() {
    Job pill;
    pill.stop = true;
    queue_.push(pill);
    worker_.join();
  }

private:
  void loop() {
    for (;;) {
      Job job = queue_.pop();
      if (job.is_stop())
        break;
      run(job);
    }
  }
  BlockingQueue<Job> queue_;
  std::thread worker_;
};

// A sentinel compared after the receive.
void sum_until_negative(msd::channel<int> &in, std::atomic<long> &total) {
  std::thread t([&in, &total] {
    while (true) {
      int v = 0;
      in >> v;
      if (v < 0)
        break;
      total += v;
    }
  });
  t.join();
}

// progschj/ThreadPool: the wait's predicate reads stop, the loop returns on it.
class ThreadPool {
public:
  explicit ThreadPool(size_t threads) : stop(false) {
    for (size_t i = 0; i < threads; ++i)
      workers.emplace_back([this] {
        for (;;) {
          std::function<void()> task;
          {
            std::unique_lock<std::mutex> lock(this->queue_mutex);
            this->condition.wait(
                lock, [this] { return this->stop || !this->tasks.empty(); });
            if (this->stop && this->tasks.empty())
              return;
            task = std::move(this->tasks.front());
            this->tasks.pop();
          }
          task();
        }
      });
  }
  ~ThreadPool() {
    {
      std::unique_lock<std::mutex> lock(queue_mutex);
      stop = true;
    }
    condition.notify_all();
    for (std::thread &worker : workers)
      worker.join();
  }

private:
  std::vector<std::thread> workers;
  std::queue<std::function<void()>> tasks;
  std::mutex queue_mutex;
  std::condition_variable condition;
  bool stop;
};

// A receive whose failure (closed channel) ends the loop.
void drain(std::shared_ptr<msd::channel<std::string>> lines) {
  std::thread([lines] {
    std::string line;
    while (lines->read(line))
      handle(line);
  }).detach();
}

// A bounded loop: a fixed number of receives.
void take_three(BlockingQueue<Job> &q) {
  std::thread t([&q] {
    for (int i = 0; i < 3; ++i)
      run(q.pop());
  });
  t.join();
}

// condition_variable_any with the token: the wait returns false on stop.
class TokenWorker {
public:
  TokenWorker()
      : thread_([this](std::stop_token st) {
          std::unique_lock<std::mutex> lk(mu_);
          for (;;) {
            if (!cv_.wait(lk, st, [this] { return !pending_.empty(); }))
              return;
            int v = pending_.front();
            pending_.pop();
            run(Job{v});
          }
        }) {}

private:
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::queue<int> pending_;
  std::jthread thread_;
};

// A member flag in the loop condition, cleared by shutdown().
class Heartbeat {
public:
  void start() {
    running_ = true;
    th_ = std::thread([this] {
      while (running_) {
        std::this_thread::sleep_for(1s);
        beat();
      }
    });
  }
  void shutdown() {
    running_ = false;
    th_.join();
  }

private:
  void beat();
  std::atomic<bool> running_{false};
  std::thread th_;
};

// A helper that returns once the socket reports end of stream or an error.
long read_some(int fd, char *buf, unsigned long n);
void reader(int fd) {
  std::thread([fd] {
    char buf[256];
    for (;;) {
      long n = read_some(fd, buf, sizeof buf);
      if (n <= 0)
        return;
      handle(std::string(buf, static_cast<unsigned long>(n)));
    }
  }).detach();
}
