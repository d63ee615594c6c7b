#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace acme {

// A fixed set of workers pulling tasks from a queue.
class ThreadPool {
public:
  explicit ThreadPool(unsigned n);
  ~ThreadPool();

  template <typename F> auto submit(F f) -> std::future<decltype(f())> {
    auto task = std::make_shared<std::packaged_task<decltype(f())()>>(std::move(f));
    auto fut = task->get_future();
    {
      std::lock_guard<std::mutex> lk(mu_);
      tasks_.push_back([task] { (*task)(); });
    }
    cv_.notify_one();
    return fut;
  }
  void post(std::function<void()> f);
  void wait_idle();

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::thread> workers_;
  bool stop_ = false;
};

} // namespace acme

struct Chunk {
  int id = 0;
  std::string data;
};

int checksum(const Chunk &c);
void store(int id, int sum);

class Indexer {
public:
  explicit Indexer(acme::ThreadPool &pool) : pool_(pool) {}
  void index(const std::vector<Chunk> &chunks);
  void index_ids(int first, int last);
  int index_and_wait(const std::vector<Chunk> &chunks);

private:
  acme::ThreadPool &pool_;
  std::vector<std::future<int>> pending_;
};
