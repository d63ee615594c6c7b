// A function that waits, after detaching its threads, for a condition the
// threads make true: the wait keeps the function's locals (and `this`)
// alive only if making the condition true is the thread's last use of them.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

void handle_request(int fd);
int next_request();
long checksum(const std::vector<int> &block);

// The readers decrement the counter, then notify the local condition
// variable: the waiter can see the counter at 0, return, and destroy
// `done_cv` while the last reader is still inside notify_one().
constexpr int kReaders = 4;

long sum_blocks(const std::vector<std::vector<int>> &blocks) {
  std::mutex done_mu;
  std::condition_variable done_cv;
  std::atomic<int> pending{kReaders};
  std::atomic<long> total{0};
  for (int r = 0; r < kReaders; ++r) {
    std::thread([&total, &pending, &done_cv, &blocks, r] {
      total += checksum(blocks[r]);
      --pending; // want cancel-lost-wakeup "'pending' is updated without holding 'done_mu'"
      done_cv.notify_one(); // want-note "but the thread still uses 'done_cv' after that"
    }).detach(); // want thread-leak "detached thread refers to local variable 'total'"
  }
  std::unique_lock<std::mutex> lk(done_mu);
  done_cv.wait(lk, [&pending] { return pending == 0; });
  return total;
}

// The same with the decrement and the notify under the waiter's mutex: the
// waiter reads `pending` under `done_mu`, so it cannot go on before the
// reader's guard releases it, after the notify.
long sum_blocks_locked(const std::vector<std::vector<int>> &blocks) {
  std::mutex done_mu;
  std::condition_variable done_cv;
  int pending = kReaders;
  std::atomic<long> total{0};
  for (int r = 0; r < kReaders; ++r) {
    std::thread([&total, &pending, &done_cv, &done_mu, &blocks, r] {
      total += checksum(blocks[r]);
      std::lock_guard<std::mutex> g(done_mu);
      --pending;
      done_cv.notify_one();
    }).detach();
  }
  std::unique_lock<std::mutex> lk(done_mu);
  done_cv.wait(lk, [&pending] { return pending == 0; });
  return total;
}

// A server whose handlers count themselves out as their last action, and
// whose listen() does not return before the count is back to 0: `this`
// outlives every handler.
class Server {
public:
  bool listen() {
    while (running_) {
      int fd = next_request();
      if (fd < 0)
        break;
      {
        std::lock_guard<std::mutex> g(count_mu_);
        ++handlers_;
      }
      std::thread([this, fd] {
        handle_request(fd);
        served_.fetch_add(1);
        std::lock_guard<std::mutex> g(count_mu_);
        --handlers_;
      }).detach();
    }
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      std::lock_guard<std::mutex> g(count_mu_);
      if (handlers_ == 0)
        break;
    }
    return true;
  }
  void stop() { running_ = false; }

private:
  std::atomic<bool> running_{true};
  std::atomic<long> served_{0};
  std::mutex count_mu_;
  int handlers_ = 0;
};

// Counted out first, then the handler still logs through `this`: the wait
// may end before that.
class Gateway {
public:
  bool listen() {
    while (running_) {
      int fd = next_request();
      if (fd < 0)
        break;
      ++handlers_;
      std::thread([this, fd] {
        handle_request(fd);
        --handlers_;
        note_done(fd);
      }).detach(); // want thread-leak "detached thread uses 'this' of 'Gateway' and may outlive the object"
    }
    while (handlers_ > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return true;
  }
  void stop() { running_ = false; }

private:
  void note_done(int fd) { last_fd_ = fd; }
  std::atomic<bool> running_{true};
  std::atomic<int> handlers_{0};
  std::atomic<int> last_fd_{-1};
};
