// Tasks declared through the C API and the C++ layer: a session task on
// main starts reader tasks that wait on a channel, a writer that waits for
// room, and pool jobs (one running on its worker, blocked on a mutex main
// holds; one queued behind it). Then SIGQUIT (dumped in the output format);
// with "leak", main returns instead and the exit report lists the tasks
// never ended.
#include "await_report.h"
#include "tether/tether.hpp"

#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <semaphore.h>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

// A channel whose receivers and senders are tasks: a task that cannot
// proceed is parked with its continuation and suspended.
class Channel {
public:
  explicit Channel(size_t capacity) : capacity_(capacity) {}
  void receive(tether::Task &t, std::function<void(int)> k) {
    std::lock_guard<std::mutex> l(mu_);
    if (!items_.empty()) {
      int v = items_.front();
      items_.pop_front();
      k(v);
      return;
    }
    receivers_.push_back({&t, std::move(k)});
    t.suspend("chan receive", this); // READER-AWAIT
  }
  void send(tether::Task &t, int v) {
    std::lock_guard<std::mutex> l(mu_);
    if (items_.size() < capacity_) {
      items_.push_back(v);
      return;
    }
    senders_.push_back(&t);
    t.suspend("chan send", this); // WRITER-AWAIT
  }

private:
  struct Receiver {
    tether::Task *task;
    std::function<void(int)> k;
  };
  std::mutex mu_;
  size_t capacity_;
  std::deque<int> items_;
  std::deque<Receiver> receivers_;
  std::deque<tether::Task *> senders_;
};

// A one-thread pool whose jobs are tasks (tether::track_job).
class Pool {
public:
  Pool() : worker_([this] { run(); }) {}
  ~Pool() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }
  template <typename F> void submit(F f) {
    {
      std::lock_guard<std::mutex> l(mu_);
      jobs_.push_back(std::move(f));
    }
    cv_.notify_one();
  }

private:
  void run() {
    pthread_setname_np(pthread_self(), "pool-0");
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [this] { return stop_ || !jobs_.empty(); });
        if (stop_)
          return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stop_ = false;
  std::thread worker_;
};

struct Reader {
  std::unique_ptr<tether::Task> task;
  int got = 0;
  void start(Channel &ch) {
    task->resume();
    ch.receive(*task, [this](int v) { got = v; });
  }
};

// A task waits for a timer the kernel fires (SIGALRM): meanwhile its thread
// blocks with no timeout, but the task runs again when the timer expires.
sem_t g_fired;
void onAlarm(int) { sem_post(&g_fired); }
int timerWait() {
  sem_init(&g_fired, 0, 0);
  signal(SIGALRM, onAlarm);
  tether::Task tick("tick");
  tick.resume();
  tick.suspend("sleep", nullptr, /*timed=*/true);
  alarm(1);
  while (sem_wait(&g_fired) == -1 && errno == EINTR) {
  }
  tick.resume();
  tick.end();
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc > 1 && std::string(argv[1]) == "timer")
    return timerWait();
  bool leak = argc > 1 && std::string(argv[1]) == "leak";
  tether_set_label("svc", "ingest"); // inherited by every task below
  Channel requests(0), replies(1);
  std::mutex table;
  table.lock();

  tether::Task session("session"); // SESSION-CREATED
  session.resume();
  std::vector<Reader> readers(3);
  for (size_t i = 0; i < readers.size(); ++i) {
    std::string name = "reader-" + std::to_string(i);
    readers[i].task.reset(new tether::Task(name.c_str())); // READER-CREATED
    readers[i].start(requests);
  }
  tether::Task writer("writer"); // WRITER-CREATED
  writer.set_label("role", "out");
  writer.resume();
  replies.send(writer, 1);
  replies.send(writer, 2); // full: suspends

  std::mutex started_mu;
  std::condition_variable started_cv;
  bool started = false;
  Pool *pool = new Pool;
  pool->submit(tether::track_job( // JOB-A-SUBMITTED
      [&] {
        {
          std::lock_guard<std::mutex> l(started_mu);
          started = true;
        }
        started_cv.notify_all();
        std::lock_guard<std::mutex> l(table); // blocks: main holds it
      },
      "job-a"));
  pool->submit(tether::track_job([] {}, "job-b"));
  {
    std::unique_lock<std::mutex> l(started_mu);
    started_cv.wait(l, [&] { return started; });
  }
  session.suspend("sleep", nullptr, true); // SESSION-AWAIT
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  if (leak) {
    // The readers and the writer are never ended: leaked, with the session.
    for (auto &r : readers)
      (void)r.task.release();
    new tether::Task(std::move(writer));
    new tether::Task(std::move(session));
    table.unlock();
    delete pool;
    return 0;
  }
  kill(getpid(), SIGQUIT);
  awaitReport();
  fflush(stdout);
  _exit(0);
}
