// A detached thread that uses `this` of an object that is never destroyed:
// its destructor unconditionally aborts, and the only instance is built by
// placement new into the storage of a function-local static that never
// destroys it (the shape of leveldb's PosixEnv / SingletonEnv). `this`
// cannot dangle. Nothing to report.
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <mutex>
#include <new>
#include <thread>
#include <utility>

namespace {

class BackgroundEnv {
public:
  BackgroundEnv() = default;
  BackgroundEnv(const BackgroundEnv &) = delete;
  BackgroundEnv &operator=(const BackgroundEnv &) = delete;

  // The singleton must never be destroyed.
  ~BackgroundEnv() {
    static const char msg[] = "BackgroundEnv singleton destroyed\n";
    std::fwrite(msg, 1, sizeof(msg) - 1, stderr);
    std::abort();
  }

  void Schedule(std::function<void()> work) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!started_) {
      started_ = true;
      std::thread background(&BackgroundEnv::BackgroundMain, this);
      background.detach();
    }
    queue_.push_back(std::move(work));
    cv_.notify_one();
  }

  void StartThread(void (*fn)(void *), void *arg) {
    std::thread t([this, fn, arg] {
      fn(arg);
      std::lock_guard<std::mutex> lock(mu_);
      ++finished_threads_;
    });
    t.detach();
  }

  void Shutdown() {
    std::lock_guard<std::mutex> lock(mu_);
    shutting_down_ = true;
    cv_.notify_all();
  }

private:
  void BackgroundMain() {
    for (;;) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return shutting_down_ || !queue_.empty(); });
      if (queue_.empty())
        return;
      std::function<void()> work = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      work();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool started_ = false;
  bool shutting_down_ = false;
  int finished_threads_ = 0;
};

// Builds the T into static storage and never runs its destructor.
template <typename EnvType> class SingletonEnv {
public:
  SingletonEnv() { new (&env_storage_) EnvType(); }
  ~SingletonEnv() = default;
  SingletonEnv(const SingletonEnv &) = delete;
  SingletonEnv &operator=(const SingletonEnv &) = delete;

  EnvType *env() { return reinterpret_cast<EnvType *>(&env_storage_); }

private:
  alignas(EnvType) unsigned char env_storage_[sizeof(EnvType)];
};

} // namespace

BackgroundEnv *DefaultEnv() {
  static SingletonEnv<BackgroundEnv> singleton;
  return singleton.env();
}

void compact_later(int level) {
  DefaultEnv()->Schedule([level] { std::printf("compacting %d\n", level); });
}
