// Threads kept in a vector and joined in a loop or with std::for_each.
// Nothing to report.
#include <algorithm>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <queue>
#include <stdexcept>
#include <thread>
#include <vector>

void compute(int part);
bool ready();

// Threads in a vector, joined in a loop and with std::for_each.
void fan_out(int n) {
  std::vector<std::thread> ts;
  for (int i = 0; i < n; ++i)
    ts.emplace_back(compute, i);  // want thread-unbounded-spawn "parameter 'n' of 'fan_out', whose value comes from its callers"
  for (auto &t : ts)
    t.join();
}

void fan_out_for_each(int n) {
  std::vector<std::thread> ts;
  for (int i = 0; i < n; ++i)
    ts.push_back(std::thread([i] { compute(i); }));  // want thread-unbounded-spawn "parameter 'n' of 'fan_out_for_each', whose value comes from its callers"
  std::for_each(ts.begin(), ts.end(), [](std::thread &t) { t.join(); });
}


// A member vector joined with std::for_each and std::mem_fn, and one joined
// through an index loop in stop().
class Crawler {
public:
  void start(int n) {
    for (int i = 0; i < n; ++i)
      fetchers_.emplace_back(&Crawler::fetch, this, i);
    for (int i = 0; i < n; ++i)
      parsers_.push_back(std::thread([this, i] { parse(i); }));
  }
  void stop() {
    std::for_each(fetchers_.begin(), fetchers_.end(),
                  std::mem_fn(&std::thread::join));
    for (size_t i = 0; i < parsers_.size(); ++i)
      parsers_[i].join();
  }
  ~Crawler() { stop(); }

private:
  void fetch(int i) { compute(i); }
  void parse(int i) { compute(-i); }
  std::vector<std::thread> fetchers_;
  std::vector<std::thread> parsers_;
};

// Workers moved out of a local vector into the caller's.
std::vector<std::thread> spawn_all(int n) {
  std::vector<std::thread> ts;
  for (int i = 0; i < n; ++i) {
    std::thread t(compute, i);  // want thread-unbounded-spawn "a count from parameter 'n'"
    ts.push_back(std::move(t));
  }
  return ts;
}
