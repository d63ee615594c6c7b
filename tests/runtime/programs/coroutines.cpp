// C++20 coroutines as tasks: a lazy Job type whose promise opts in with one
// line (tether::coro::promise_base). Consumers wait on an async channel,
// a producer waits for room, a parent awaits its child, and one job moved to
// a worker thread blocks there on a mutex main holds. Then SIGQUIT; with
// "leak", main returns with the suspended coroutines never destroyed.
#include "await_report.h"
#include "tether/coro.hpp"

#include <condition_variable>
#include <coroutine>
#include <csignal>
#include <cstdio>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

class Job {
public:
  struct promise_type : tether::coro::promise_base { // the one line
    std::coroutine_handle<> continuation;
    Job get_return_object() { return Job(std::coroutine_handle<promise_type>::from_promise(*this)); }
    std::suspend_always initial_suspend() noexcept { return {}; }
    auto final_suspend() noexcept {
      struct Final {
        bool await_ready() noexcept { return false; }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
          auto c = h.promise().continuation;
          return c ? c : std::noop_coroutine();
        }
        void await_resume() noexcept {}
      };
      return Final{};
    }
    void return_void() {}
    void unhandled_exception() { std::terminate(); }
  };
  explicit Job(std::coroutine_handle<promise_type> h) : h_(h) {}
  Job(Job &&o) noexcept : h_(std::exchange(o.h_, {})) {}
  ~Job() {
    if (h_)
      h_.destroy();
  }
  void start() { h_.resume(); }
  // Leaves the frame alive (the leak case).
  void abandon() { h_ = {}; }
  // co_await job: runs it, resumes the awaiter when it finishes.
  auto operator co_await() && noexcept {
    struct Awaiter {
      std::coroutine_handle<promise_type> h;
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<> c) noexcept {
        h.promise().continuation = c;
        return h;
      }
      void await_resume() noexcept {}
    };
    return Awaiter{h_};
  }

private:
  std::coroutine_handle<promise_type> h_;
};

// A channel between coroutines on one thread.
class Channel {
public:
  explicit Channel(size_t capacity) : capacity_(capacity) {}
  struct Recv {
    static constexpr const char *tether_reason = "chan receive";
    Channel &ch;
    int value = 0;
    bool await_ready() {
      if (ch.items_.empty())
        return false;
      value = ch.items_.front();
      ch.items_.pop_front();
      return true;
    }
    void await_suspend(std::coroutine_handle<> h) { ch.receivers_.push_back(h); }
    int await_resume() { return value; }
  };
  struct Send {
    static constexpr const char *tether_reason = "chan send";
    Channel &ch;
    int v;
    bool await_ready() {
      if (ch.items_.size() >= ch.capacity_)
        return false;
      ch.items_.push_back(v);
      return true;
    }
    void await_suspend(std::coroutine_handle<> h) { ch.senders_.push_back(h); }
    void await_resume() {}
  };
  Recv recv() { return Recv{*this}; }
  Send send(int v) { return Send{*this, v}; }

private:
  size_t capacity_;
  std::deque<int> items_;
  std::deque<std::coroutine_handle<>> receivers_, senders_;
};

// Moves the awaiting coroutine to a worker thread.
class Worker {
public:
  Worker() : t_([this] { run(); }) {}
  void join() { t_.join(); }
  auto schedule() {
    struct A {
      Worker &w;
      bool await_ready() { return false; }
      void await_suspend(std::coroutine_handle<> h) {
        {
          std::lock_guard<std::mutex> l(w.mu_);
          w.next_ = h;
        }
        w.cv_.notify_one();
      }
      void await_resume() {}
    };
    return A{*this};
  }

private:
  void run() {
    pthread_setname_np(pthread_self(), "co-worker");
    std::coroutine_handle<> h;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [this] { return bool(next_); });
      h = next_;
    }
    h.resume();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::coroutine_handle<> next_;
  std::thread t_;
};

Job consumer(Channel &ch, int *sum) {
  int v = co_await ch.recv(); // CONSUMER-AWAIT
  *sum += v;
}

Job producer(Channel &ch) {
  co_await ch.send(1);
  co_await ch.send(2); // PRODUCER-AWAIT
}

Job child(Channel &ch) {
  co_await ch.recv(); // CHILD-AWAIT
}

Job parent(Channel &ch) {
  co_await child(ch); // PARENT-AWAIT
}

Job onWorker(Worker &w, std::mutex &table, bool *started) {
  co_await w.schedule();
  *started = true;
  std::lock_guard<std::mutex> l(table); // blocks: main holds it
}

} // namespace

int main(int argc, char **argv) {
  bool leak = argc > 1 && std::string(argv[1]) == "leak";
  Channel requests(0), replies(1), inbox(0);
  int sum = 0;
  std::vector<Job> jobs;
  for (int i = 0; i < 3; ++i)
    jobs.push_back(consumer(requests, &sum));
  jobs.push_back(producer(replies));
  jobs.push_back(parent(inbox));
  for (Job &j : jobs)
    j.start();

  std::mutex table;
  table.lock();
  bool started = false;
  Worker w;
  Job moved = onWorker(w, table, &started);
  moved.start();
  while (!started)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  if (leak) {
    for (Job &j : jobs)
      j.abandon();
    table.unlock();
    w.join();
    return 0;
  }
  kill(getpid(), SIGQUIT);
  awaitReport();
  fflush(stdout);
  _exit(0);
}
