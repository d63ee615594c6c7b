// Dumps its threads through the C API: a worker blocked in a condition
// variable wait must appear with its reason and its own frames.
#include <tether/tether.h>

#include <condition_variable>
#include <mutex>
#include <thread>

std::mutex mu;
std::condition_variable cv;
bool parked = false, go = false;

void parkHere() {
  std::unique_lock<std::mutex> l(mu);
  parked = true;
  cv.notify_all();
  cv.wait(l, [] { return go; });
}

int main() {
  tether_set_thread_name("main-thread");
  std::thread t([] {
    tether_set_thread_name("parked-worker");
    parkHere();
  });
  int rc;
  {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [] { return parked; });
    // Holding mu here means the worker released it inside its wait, which
    // the shim records as blocked before the real wait starts.
    rc = tether_dump(1, TETHER_FORMAT_DEBUG2);
  }
  {
    std::lock_guard<std::mutex> l(mu);
    go = true;
  }
  cv.notify_all();
  t.join();
  return rc == 0 ? 0 : 1;
}
