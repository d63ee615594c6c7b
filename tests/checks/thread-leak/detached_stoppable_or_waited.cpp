// Detached threads that can be stopped (a stop flag, a break), whose object
// lives until exit (a singleton), or that the detaching function or the
// object's destructor waits for. Nothing to report.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

void send_line(int fd, const std::string &line);
void close_socket(int fd);

// A detached loop with a stop flag.
std::atomic<bool> g_stop{false};
void start_reaper() {
  std::thread([] {
    while (!g_stop.load()) {
      std::this_thread::sleep_for(100ms);
      close_socket(-1);
    }
  }).detach();
}

// An endless loop with a break.
void start_poller(std::shared_ptr<std::atomic<bool>> quit) {
  std::thread([quit] {
    for (;;) {
      if (quit->load())
        break;
      std::this_thread::sleep_for(10ms);
    }
  }).detach();
}

// `this` of a global singleton lives until exit; a by-reference capture of
// a static variable is fine.
class Registry {
public:
  static Registry &instance() {
    static Registry r;
    return r;
  }
  void refresh_async() {
    static std::mutex refresh_mu;
    std::thread([this] {
      std::lock_guard<std::mutex> lk(refresh_mu);
      ++generation_;
    }).detach();
  }

private:
  Registry() = default;
  std::atomic<int> generation_{0};
};

// The detaching function waits for the thread before its locals die.
int compute_with_latch(int n) {
  int result = 0;
  bool done = false;
  std::mutex mu;
  std::condition_variable cv;
  std::thread([&] {
    std::lock_guard<std::mutex> lk(mu);
    result = n * 2;
    done = true;
    cv.notify_one();
  }).detach();
  std::unique_lock<std::mutex> lk(mu);
  cv.wait(lk, [&] { return done; });
  return result;
}

// The destructor waits for the detached worker to finish.
class Flusher {
public:
  void start() {
    running_ = true;
    std::thread([this] {
      send_line(1, "flush");
      std::lock_guard<std::mutex> lk(mu_);
      running_ = false;
      cv_.notify_all();
    }).detach();
  }
  ~Flusher() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return !running_; });
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool running_ = false;
};

// main never returns after the detach: its locals outlive the thread.
int main() {
  std::string banner = "ready";
  g_stop = false;
  std::thread([&banner] { send_line(1, banner); }).detach();
  for (;;)
    std::this_thread::sleep_for(1s);
}

// The detaching function polls a flag the thread sets before returning.
int compute_polling(int n) {
  std::atomic<bool> finished{false};
  int value = 0;
  std::thread([&] {
    value = n + 1;
    finished = true;
  }).detach();
  while (!finished.load())
    std::this_thread::sleep_for(1ms);
  return value;
}
