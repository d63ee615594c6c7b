// tether::leak_mark / tether::leaked_since from Catch2 (v2, Debian's catch2):
// the example of docs/runtime/README.md. "stops its worker" is clean,
// "forgets its worker" leaks one thread and fails with tether's report.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <tether/tether.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace {
struct Worker {
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  std::thread t{[this] {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [this] { return stop; });
  }};
  void shutdown() {
    {
      std::lock_guard<std::mutex> l(mu);
      stop = true;
    }
    cv.notify_all();
    t.join();
  }
};
} // namespace

TEST_CASE("stops its worker") {
  tether::LeakMark mark = tether::leak_mark();
  Worker w;
  w.shutdown();
  tether::LeakReport r = tether::leaked_since(mark);
  INFO(r.text);
  CHECK_FALSE(r.leaked());
}

TEST_CASE("forgets its worker") {
  tether::LeakMark mark = tether::leak_mark();
  new Worker; // never shut down
  tether::LeakReport r = tether::leaked_since(mark);
  INFO(r.text);
  CHECK_FALSE(r.leaked());
}
