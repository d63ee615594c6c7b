// A GoogleTest binary under tether::testing::VerifyTestMain: Leaky leaks a
// thread; during Clean that leaked thread starts another one (still Leaky's
// doing, not Clean's). Clean passes; Leaky fails at its own TEST line; the
// thread started during Clean is reported once, by the final check; the exit
// report repeats nothing.
#include "tether/gtest.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace {
std::mutex &mu = *new std::mutex;
std::condition_variable &cv = *new std::condition_variable;
bool parked = false, spawn = false, spawned = false;

void parkForever() {
  std::unique_lock<std::mutex> l(mu);
  cv.wait(l, [] { return false; });
}

void leaker() {
  std::unique_lock<std::mutex> l(mu);
  parked = true;
  cv.notify_all();
  cv.wait(l, [] { return spawn; });
  new std::thread(parkForever); // LEAKED-CHILD
  spawned = true;
  cv.notify_all();
  cv.wait(l, [] { return false; });
}
} // namespace

TEST(Leaky, LeaksAThread) { // LEAKY-TEST
  new std::thread(leaker);
  std::unique_lock<std::mutex> l(mu);
  cv.wait(l, [] { return parked; });
}

TEST(Clean, StartsAndJoins) {
  std::thread t([] {});
  t.join();
  std::unique_lock<std::mutex> l(mu);
  if (!parked)
    return; // Leaky ran in another shard
  spawn = true;
  cv.notify_all();
  cv.wait(l, [] { return spawned; });
}

int main(int argc, char **argv) { return tether::testing::VerifyTestMain(argc, argv); }
