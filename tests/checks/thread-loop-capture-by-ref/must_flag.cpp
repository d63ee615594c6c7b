// Threads started in loops that get a per-iteration variable by reference
// and are not joined before the iteration ends.
#include <future>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <string>
#include <thread>
#include <vector>

int score(int shard);
void upload(const std::string &path);
void fill(std::vector<char> &buf, int part);
void record(int shard, int value);

// 1. The classic: the loop counter by explicit reference; every thread
//    reads whatever value `i` has when it runs (and `i` is gone after the
//    loop). Fix-it: [&i] -> [i].
void score_shards(int shards) {
  std::vector<std::thread> workers;
  for (int i = 0; i < shards; ++i)
    workers.emplace_back([&i] { record(i, score(i)); });  // want thread-loop-capture-by-ref "loop variable 'i' is captured by reference by a thread"  want thread-unbounded-spawn "parameter 'shards' of 'score_shards', whose value comes from its callers"
  for (auto &t : workers)
    t.join();
}

// 2. [&] over a by-value range variable, thread detached: `path` dies at
//    the end of every iteration.
void upload_all(const std::vector<std::string> &paths) {
  for (std::string path : paths) {  // want-note "'path' declared here"
    std::thread([&] {  // want thread-loop-capture-by-ref "loop variable 'path' is captured by reference \(\[&\]\)"  // want thread-unbounded-spawn "a range over parameter .paths."
      upload(path);  // want-note "'path' is used here in the thread"
    }).detach();  // want-note "detached here"
  }
}

// 3. A buffer declared in the loop body handed over with std::ref.
void assemble(int parts, std::vector<std::thread> &out) {
  for (int p = 0; p < parts; ++p) {
    std::vector<char> buf(4096);
    out.push_back(std::thread(fill, std::ref(buf), p));  // want thread-loop-capture-by-ref "variable 'buf', declared in the loop body, is passed by reference \(std::ref\)"
  }
}

// 4. std::async futures kept outside the loop: the task outlives the
//    iteration (and may be deferred until get()).
class Aggregator {
public:
  int total(const std::vector<int> &shards) {
    std::vector<std::future<int>> parts;
    for (int shard : shards)
      parts.push_back(std::async(std::launch::async, [&] { return score(shard); }));  // want thread-loop-capture-by-ref "loop variable 'shard'"  want thread-unbounded-spawn "parameter 'shards' of 'total', whose size comes from its callers"
    int sum = 0;
    for (auto &f : parts)
      sum += f.get();
    return sum;
  }
};

// 5. A member function started with the address of a body variable; the
//    threads are joined only in the destructor.
struct Job {
  int id = 0;
  std::shared_ptr<std::string> payload;
};

class Runner {
public:
  void start(const std::vector<int> &ids) {
    for (int id : ids) {
      Job job{id, std::make_shared<std::string>("x")};
      threads_.emplace_back(&Runner::run, this, &job);  // want thread-loop-capture-by-ref "the address of variable 'job', declared in the loop body, is passed"  // want thread-unbounded-spawn "a thread is started for every iteration"
    }
  }
  ~Runner() {
    for (auto &t : threads_)
      t.join();
  }

private:
  void run(Job *job) { record(job->id, int(job->payload->size())); }
  std::vector<std::thread> threads_;
};

// 6. Joined in batches: threads of earlier iterations still run while the
//    loop moves on, so the reference still dangles.
void batched(int n) {
  std::vector<std::thread> batch;
  for (int i = 0; i < n; ++i) {
    int value = score(i);
    batch.emplace_back([&value, i] { record(i, value); });  // want thread-loop-capture-by-ref "variable 'value', declared in the loop body, is captured by reference"
    if (batch.size() == 8) {
      for (auto &t : batch)
        t.join();
      batch.clear();
    }
  }
  for (auto &t : batch)
    t.join();
}

// 7. pthread_create with the loop counter's address.
void *shard_main(void *arg);
void start_posix(int n, std::vector<pthread_t> &tids) {
  for (int i = 0; i < n; ++i) {
    pthread_t tid;
    pthread_create(&tid, nullptr, shard_main, &i);  // want thread-loop-capture-by-ref "the address of loop variable 'i'"  // want thread-unbounded-spawn "a thread is started for every iteration"
    tids.push_back(tid);
  }
}

// 8. A handle variable outside the loop, reassigned every iteration: the
//    previous thread is still running with the previous iteration's `key`.
class Prefetcher {
public:
  void prefetch(const std::vector<std::string> &keys) {
    for (const std::string &k : keys) {
      std::string key = "cache/" + k;
      {
        std::lock_guard<std::mutex> lk(mu_);
        if (last_.joinable())
          last_.detach();
      }
      last_ = std::thread([&key] { upload(key); });  // want thread-loop-capture-by-ref "variable 'key', declared in the loop body"  // want thread-unbounded-spawn "a thread is started for every iteration"
    }
  }

private:
  std::mutex mu_;
  std::thread last_;
};
