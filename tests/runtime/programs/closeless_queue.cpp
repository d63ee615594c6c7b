// An encoder thread waits for a poison pill the producer never sends: it
// blocks forever in moodycamel's BlockingConcurrentQueue::wait_dequeue, a
// queue with no close that the built-in models describe ([chan receive]).
#include "await_report.h"
#include <concurrentqueue/blockingconcurrentqueue.h>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <pthread.h>
#include <thread>
#include <unistd.h>

static void encode(moodycamel::BlockingConcurrentQueue<int> &frames) {
  pthread_setname_np(pthread_self(), "encoder");
  long sum = 0;
  for (;;) {
    int f = 0;
    frames.wait_dequeue(f); // ENCODER-WAITS
    if (f < 0)
      break;
    sum += f;
  }
  printf("sum %ld\n", sum);
}

int main() {
  moodycamel::BlockingConcurrentQueue<int> frames;
  std::thread encoder(encode, std::ref(frames));
  for (int i = 0; i < 3; ++i)
    frames.enqueue(i);
  // bug: frames.enqueue(-1) missing, the encoder never stops
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  kill(getpid(), SIGQUIT);
  awaitReport();
  fflush(stdout);
  _exit(0); // the encoder can never be joined
}
