// A fixed-size worker pool that classifies error records, and a fan-in
// helper that counts records per host. Jobs and results travel through
// logpipe::BlockingQueue (a channel for tether, see ../.tether.yaml).
#pragma once

#include "blocking_queue.h"
#include "log_record.h"

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace logpipe {

struct Batch {
  std::size_t id = 0;
  std::vector<LogRecord> records;
};

struct Classified {
  std::size_t batch = 0;
  std::string host;
  std::string category; // "timeout", "disk", "auth", "network", "other"
};

using JobQueue = BlockingQueue<Batch>;
using ResultQueue = BlockingQueue<Classified>;

class WorkerPool {
public:
  explicit WorkerPool(unsigned workers);
  ~WorkerPool();
  WorkerPool(const WorkerPool &) = delete;
  WorkerPool &operator=(const WorkerPool &) = delete;

  // Queues a batch; `last` marks the end of the submissions.
  void submit(Batch batch, bool last);

  // Everything the workers produced; returns once the results are closed.
  std::vector<Classified> collect();

private:
  std::shared_ptr<JobQueue> jobs_ = std::make_shared<JobQueue>(8);
  std::shared_ptr<ResultQueue> results_ = std::make_shared<ResultQueue>();
  std::vector<std::thread> workers_;
};

std::string classify(const LogRecord &rec);

// Counts records per host with `workers` threads feeding one channel.
std::map<std::string, std::size_t>
count_by_host(const std::vector<LogRecord> &records, unsigned workers);

} // namespace logpipe
