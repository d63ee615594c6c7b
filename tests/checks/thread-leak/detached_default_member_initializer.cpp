// Threads started by a default member initializer (`std::thread worker_{…}`
// in the class) run from the first line of every constructor that does not
// initialize the member itself; a destructor that detaches such a thread
// while its body uses `this` leaves it running on a destroyed object.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

class Registry;
std::string serialize(const Registry &r);

// The saver's loop reads period_, file_ and registry_ of `this` after the
// destructor detached it.
class PeriodicSaver {
public:
  PeriodicSaver(const Registry &r, std::string file) : registry_(&r) {
    file_ = std::move(file);
  }
  ~PeriodicSaver() {
    if (worker_.joinable())
      worker_.detach(); // want thread-leak "detached thread uses 'this' of 'PeriodicSaver' and may outlive the object"
    save();
  }

private:
  void save() {
    std::ofstream out(file_);
    out << serialize(*registry_);
  }
  void loop() {
    while (!quit_) {
      std::this_thread::sleep_for(period_);
      save();
    }
  }
  std::chrono::seconds period_{1};
  std::string file_;
  const Registry *registry_;
  std::atomic<bool> quit_{false};
  std::thread worker_{&PeriodicSaver::loop, this}; // want-note "'this' captured here"
};

// Joined in the destructor after the flag is set: quiet.
class FlushingSaver {
public:
  explicit FlushingSaver(const Registry &r) : registry_(&r) {}
  ~FlushingSaver() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      quit_ = true;
    }
    cv_.notify_one();
    worker_.join();
  }

private:
  void loop() {
    std::unique_lock<std::mutex> lk(mu_);
    while (!quit_) {
      cv_.wait_for(lk, std::chrono::seconds(1));
      last_ = serialize(*registry_);
    }
  }
  const Registry *registry_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool quit_ = false;
  std::string last_;
  std::thread worker_{&FlushingSaver::loop, this};
};

// A default initializer that captures nothing of the object, detached:
// the thread owns what it uses.
class Banner {
public:
  Banner() = default;
  ~Banner() { printer_.detach(); }

private:
  std::thread printer_{[] { std::ofstream("banner.txt") << "started\n"; }};
};
