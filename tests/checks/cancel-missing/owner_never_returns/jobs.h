// A job queue of the application (no model): pop() waits on a condition
// variable until a job arrives.
#pragma once

#include <condition_variable>
#include <mutex>
#include <queue>
#include <string>

struct Job {
  int id = 0;
  std::string payload;
};

class JobQueue {
public:
  void push(Job j) {
    {
      std::lock_guard<std::mutex> g(mu_);
      items_.push(std::move(j));
    }
    cv_.notify_one();
  }
  Job pop() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return !items_.empty(); });
    Job j = std::move(items_.front());
    items_.pop();
    return j;
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::queue<Job> items_;
};

void run(const Job &j);
Job next_request();

// dispatch.cpp: feeds the queue until the process is killed.
void dispatch_forever(JobQueue &q);
// dispatch.cpp: feeds the queue with a batch, then returns.
void dispatch_batch(JobQueue &q, int n);
