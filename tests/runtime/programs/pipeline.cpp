// A producer/consumer pipeline whose producer forgets to close the channel:
// the consumer waits forever in msd::channel::read ([chan receive]).
// The channel is a minimal stand-in with cpp-channel's API (msd/channel.hpp).
#include "await_report.h"
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <pthread.h>
#include <queue>
#include <thread>
#include <unistd.h>

namespace msd {
template <typename T> class channel {
public:
  bool read(T &out) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return !q_.empty() || closed_; });
    if (q_.empty())
      return false;
    out = q_.front();
    q_.pop();
    return true;
  }
  bool write(const T &v) {
    std::lock_guard<std::mutex> l(mu_);
    if (closed_)
      return false;
    q_.push(v);
    cv_.notify_one();
    return true;
  }
  void close() {
    std::lock_guard<std::mutex> l(mu_);
    closed_ = true;
    cv_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::queue<T> q_;
  bool closed_ = false;
};
} // namespace msd

static void consume(msd::channel<int> &ch) {
  pthread_setname_np(pthread_self(), "consumer");
  int v, sum = 0;
  while (ch.read(v))
    sum += v;
  printf("sum %d\n", sum);
}

int main() {
  msd::channel<int> ch;
  std::thread consumer(consume, std::ref(ch)); // CONSUMER-CREATED
  std::thread producer([&] {
    for (int i = 0; i < 3; ++i)
      ch.write(i);
    // bug: ch.close() missing
  });
  producer.join();
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  kill(getpid(), SIGQUIT);
  awaitReport();
  fflush(stdout);
  _exit(0); // the consumer can never be joined
}
