// Thread members that their class never joins or detaches, and std::async
// futures that nothing waits on.
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

void scan_directory(const std::string &dir);
int checksum(const std::string &path);
void upload(const std::string &path);

// Started in the constructor, never joined: destroying a Scanner while the
// scan runs calls std::terminate.
class Scanner {
public:
  explicit Scanner(std::string dir)
      : dir_(std::move(dir)), worker_([this] { scan_directory(dir_); }) {} // want-note "thread started here"

  bool busy() const { return busy_; }

private:
  std::string dir_;
  std::atomic<bool> busy_{true};
  std::thread worker_; // want thread-leak "std::thread member 'worker_' is never joined or detached; destroying a 'Scanner' while the thread runs calls std::terminate"
};

// Workers pushed into a vector member that nothing ever joins.
class Uploader {
public:
  void add(const std::string &path) {
    std::lock_guard<std::mutex> lk(mu_);
    uploads_.emplace_back([path] { upload(path); });
  }
  size_t started() const { return count_; }

private:
  std::mutex mu_;
  size_t count_ = 0;
  std::vector<std::thread> uploads_; // want thread-leak "member 'uploads_' holds std::thread objects that are never joined or detached"
};

// The default launch policy may defer the task to get()/wait(): the
// checksum may never be computed.
void verify_later(const std::string &path) {
  auto pending = std::async([path] { return checksum(path); }); // want thread-leak "future 'pending' of std::async is never waited on; with the default launch policy"
  upload(path);
}

void verify_deferred(const std::vector<std::string> &paths) {
  for (const auto &p : paths) {
    std::future<int> sum = std::async(std::launch::deferred, checksum, p); // want thread-leak "with std::launch::deferred the task never runs"
  }
}

// Not reported: std::launch::async joins at the end of the scope, a future
// that is read, a class that joins its member in the destructor, a class
// whose member is handed out (someone else may join it).
void upload_while_hashing(const std::string &path) {
  auto hashing = std::async(std::launch::async, checksum, path);
  upload(path);
}

int hash_now(const std::string &path) {
  auto f = std::async(checksum, path);
  return f.get();
}

class Indexer {
public:
  Indexer() : thread_(&Indexer::run, this) {}
  ~Indexer() {
    stop_ = true;
    thread_.join();
  }

private:
  void run() {
    while (!stop_)
      std::this_thread::sleep_for(10ms);
  }
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class Spawner {
public:
  void start() { t_ = std::thread([] { scan_directory("/tmp"); }); }
  std::thread take() { return std::move(t_); }

private:
  std::thread t_;
};
