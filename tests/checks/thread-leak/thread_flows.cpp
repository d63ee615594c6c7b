// Which thread each step runs in: the detach and the start are in the
// function that detaches, the endless loop and a late use of a local in
// the started thread's body. Findings about captures stay in one thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

bool send_ping(const std::string &peer);
void mark_down(const std::string &peer);
void log_line(const std::string &s);

class Heartbeat {
public:
  explicit Heartbeat(std::vector<std::string> peers) : peers_(std::move(peers)) {}
  void start() {
    for (const std::string &p : peers_)
      watch(p);
  }

private:
  static void watch(std::string peer) {
    std::thread watcher([peer] { // want-note "thread started here" thread "^thread running 'Heartbeat::watch'$"
      int missed = 0;
      for (;;) { // want-note "loops forever here" thread "^thread started at thread_flows.cpp:26$"
        missed = send_ping(peer) ? 0 : missed + 1;
        if (missed == 3)
          mark_down(peer);
        std::this_thread::sleep_for(std::chrono::seconds(5));
      }
    });
    watcher.detach(); // want thread-leak "endless loop" thread "^thread running 'Heartbeat::watch'$"
  }

  std::vector<std::string> peers_;
};

// The waiter returns when the thread signals, but the thread still uses
// the local 'cv' after that.
void summarize(const std::vector<std::string> &lines) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::string summary;
  std::thread worker([&] {
    for (const std::string &l : lines)
      summary += l.substr(0, 8);
    {
      std::lock_guard<std::mutex> g(mu);
      done = true;
    }
    cv.notify_one(); // want-note "still uses 'cv'" thread "^thread started at thread_flows.cpp:48$"
  });
  worker.detach(); // want thread-leak "refers to local variable" thread "^thread running 'summarize'$"
  std::unique_lock<std::mutex> lk(mu);
  cv.wait(lk, [&] { return done; }); // want-note "the wait here ends" thread "^thread running 'summarize'$"
  log_line(summary);
}

// One thread: 'this' of a short-lived object.
class Uploader {
public:
  void upload_async(std::string path) {
    std::thread([this, path] { send(path); }).detach(); // want thread-leak "uses 'this'" thread "^$" want-note "'this' captured here" thread "^$"
  }

private:
  void send(const std::string &path) { log_line(path + " to " + host_); }
  std::string host_ = "backup.local";
};
