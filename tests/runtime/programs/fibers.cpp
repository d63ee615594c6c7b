// Boost.Fiber under tether::fibers::tracked<round_robin>: consumers block
// in a buffered channel's pop, a producer in push on a full one, a fiber
// sleeps, a fiber joins another; then SIGQUIT while they are suspended.
// With "leak", the fibers run on a worker thread that main leaves behind.
// With "asleep", every fiber waits on a channel nobody sends on.
#include "await_report.h"
#include "tether/fiber.hpp"

#include <boost/fiber/all.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {
using Channel = boost::fibers::buffered_channel<int>;

void consume(Channel &ch, int *sum) {
  int v;
  while (ch.pop(v) == boost::fibers::channel_op_status::success) // CONSUMER-POP
    *sum += v;
}

void produce(Channel &ch) {
  for (int i = 0;; ++i)
    if (ch.push(i) != boost::fibers::channel_op_status::success) // PRODUCER-PUSH
      return;
}

void nap() { boost::this_fiber::sleep_for(std::chrono::seconds(30)); } // NAP
} // namespace

// Starts the fibers on the calling thread and runs them until each blocks.
void startFibers() {
  boost::fibers::use_scheduling_algorithm<tether::fibers::tracked<boost::fibers::algo::round_robin>>();
  // On the heap: the fibers outlive this function.
  Channel &requests = *new Channel(4), &replies = *new Channel(2);
  int &sum = *new int(0);
  for (int i = 0; i < 3; ++i)
    boost::fibers::fiber([&] { consume(requests, &sum); }).detach();
  boost::fibers::fiber([&] { produce(replies); }).detach();
  auto &sleeper = *new boost::fibers::fiber(nap);
  boost::fibers::fiber([&] { sleeper.join(); }).detach();
  for (int i = 0; i < 10; ++i)
    boost::this_fiber::yield();
}

int main(int argc, char **argv) {
  if (argc > 1 && std::string(argv[1]) == "asleep") {
    // Every fiber waits in a channel nobody sends on, and main's fiber joins
    // one of them: the thread idles in its scheduler with no fiber that can
    // run and no timer. All asleep.
    boost::fibers::use_scheduling_algorithm<tether::fibers::tracked<boost::fibers::algo::round_robin>>();
    Channel &idle = *new Channel(4);
    int &sum = *new int(0);
    std::vector<boost::fibers::fiber> consumers;
    for (int i = 0; i < 3; ++i)
      consumers.emplace_back([&] { consume(idle, &sum); });
    consumers[0].join(); // never returns
    return 0;
  }
  if (argc > 1 && std::string(argv[1]) == "leak") {
    // A worker thread whose fibers never finish (its scheduler waits for
    // them forever): the thread and its six fibers are leaks at exit.
    std::thread([] {
      pthread_setname_np(pthread_self(), "fiber-worker");
      startFibers();
      boost::this_fiber::sleep_for(std::chrono::hours(1));
    }).detach();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return 0;
  }
  startFibers();
  kill(getpid(), SIGQUIT);
  awaitReport();
  fflush(stdout);
  _exit(0);
}
