// An idempotent stop(): an atomic exchange makes every call after the first
// return before the close. Both the early-exit path and the normal path
// call it. Correct: no check may report anything here.
// Currently reported (false positive): channel-double-close at the second
// stop() call's close ("may already be closed"): the callee's summary keeps
// the close but not the guard that skips it once it has happened.
#include <boost/thread/concurrent_queues/sync_queue.hpp>
#include <atomic>
#include <string>
#include <vector>

using Queue = boost::concurrent::sync_queue<std::string>;

class Service {
public:
  void stop() {
    if (stopped_.exchange(true))
      return;
    requests_.close();
  }
  void submit(const std::string &r) { requests_.push(r); }
  void run(const std::vector<std::string> &batch) {
    for (const auto &r : batch) {
      if (r == "quit") {
        stop();
        break;
      }
      submit(r);
    }
    stop();
  }

private:
  std::atomic<bool> stopped_{false};
  Queue requests_;
};
