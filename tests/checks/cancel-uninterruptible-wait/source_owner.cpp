// A function that creates a stop source and requests stop on it itself is
// the party that stops, not the party being stopped: the token it takes from
// its own source is not "in scope" for its own waits, since no stop request
// can arrive while it sleeps. Once the source is handed to someone else (a
// registry, a member, a callee that may request stop), a request can come
// from another thread while it blocks, and its long waits are reported.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace std::chrono_literals;

void sample(const std::string &probe);
bool reachable(const std::string &host);
void report_sample(const std::string &probe, int n);

// Runs probes for a fixed time, then stops them: the sleep is the length of
// the run, and only this function requests stop.
class ProbeRunner {
public:
  explicit ProbeRunner(std::vector<std::string> probes)
      : probes_(std::move(probes)) {}

  void run_for_two_seconds() {
    std::stop_source s;
    auto t = s.get_token();
    std::vector<std::thread> threads;
    for (const std::string &p : probes_)
      threads.emplace_back([t, &p] {  // want thread-unbounded-spawn "member 'probes_'"
        int n = 0;
        while (!t.stop_requested()) {
          sample(p);
          ++n;
        }
        report_sample(p, n);
      });
    std::this_thread::sleep_for(2s);
    s.request_stop();
    for (auto &th : threads)
      th.join();
  }

private:
  std::vector<std::string> probes_;
};

// The same with the token given to a helper, and the stop requested on the
// error path too: still the owner's own schedule.
bool warm_up(const std::string &host, std::stop_token st);

bool warm_then_stop(const std::string &host) {
  std::stop_source src;
  std::stop_token tok = src.get_token();
  std::thread warmer([host, tok] { warm_up(host, tok); });
  if (!reachable(host)) {
    src.request_stop();
    warmer.join();
    return false;
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  src.request_stop();
  warmer.join();
  return true;
}

// The source is handed to a registry from which another thread cancels a
// session: a stop request can now arrive during the sleep.
class SessionRegistry {
public:
  void add(int id, std::stop_source s) {
    std::lock_guard<std::mutex> g(mu_);
    sources_.emplace(id, std::move(s));
  }
  void cancel(int id) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = sources_.find(id);
    if (it != sources_.end())
      it->second.request_stop();
  }

private:
  std::mutex mu_;
  std::map<int, std::stop_source> sources_;
};

class Session {
public:
  Session(int id, SessionRegistry &reg) : id_(id), reg_(reg) {}

  void serve(const std::string &probe) {
    std::stop_source s;
    auto tok = s.get_token();
    reg_.add(id_, s);
    std::thread poller([tok, probe] {
      while (!tok.stop_requested())
        sample(probe);
    });
    std::this_thread::sleep_for(5s); // want cancel-uninterruptible-wait "'sleep_for' of 5000 ms cannot be interrupted"
    s.request_stop();
    poller.join();
  }

private:
  int id_;
  SessionRegistry &reg_;
};

// A source whose stop a lambda requests (a timeout callback another thread
// runs): also a request from elsewhere.
class Watchdog {
public:
  void arm(std::function<void()> on_fire) { on_fire_ = std::move(on_fire); }
  void fire() {
    if (on_fire_)
      on_fire_();
  }

  void supervise(const std::string &probe) {
    std::stop_source s;
    std::stop_token tok = s.get_token();
    arm([s]() mutable { s.request_stop(); });
    std::thread worker([tok, probe] {
      while (!tok.stop_requested())
        sample(probe);
    });
    std::this_thread::sleep_for(10s); // want cancel-uninterruptible-wait "'sleep_for' of 10000 ms cannot be interrupted"
    s.request_stop();
    worker.join();
  }

private:
  std::function<void()> on_fire_;
};
