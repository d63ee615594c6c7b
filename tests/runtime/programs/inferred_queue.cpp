// A pipeline stage's own queue, written by hand: pop() waits on a condition
// variable until a frame arrives or the queue is closed, close() sets the
// flag and wakes the waiters. No model names the class: `tether models
// --infer` reads it as a channel, tether-modelgen makes the runtime's table
// of that YAML, and with that table the dump calls the encoder's wait a
// channel receive. The producer forgets to close the queue.
#include "await_report.h"
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <thread>
#include <unistd.h>

class FrameQueue {
public:
  void push(int frame) {
    {
      std::lock_guard<std::mutex> l(mu_);
      frames_.push_back(frame);
    }
    ready_.notify_one();
  }

  std::optional<int> pop() {
    std::unique_lock<std::mutex> l(mu_);
    ready_.wait(l, [this] { return closed_ || !frames_.empty(); }); // POP-WAITS
    if (frames_.empty())
      return std::nullopt;
    int f = frames_.front();
    frames_.pop_front();
    return f;
  }

  void close() {
    {
      std::lock_guard<std::mutex> l(mu_);
      closed_ = true;
    }
    ready_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<int> frames_;
  bool closed_ = false;
};

static void encode(FrameQueue &frames) {
  pthread_setname_np(pthread_self(), "encoder");
  long sum = 0;
  while (auto f = frames.pop())
    sum += *f;
  printf("sum %ld\n", sum);
}

int main() {
  FrameQueue frames;
  std::thread encoder(encode, std::ref(frames));
  for (int i = 0; i < 3; ++i)
    frames.push(i);
  // bug: frames.close() missing, the encoder never stops
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  kill(getpid(), SIGQUIT);
  awaitReport();
  fflush(stdout);
  _exit(0); // the encoder can never be joined
}
