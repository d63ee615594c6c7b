#include "worker_pool.h"

#include <boost/fiber/buffered_channel.hpp>
#include <future>

namespace logpipe {

std::string classify(const LogRecord &rec) {
  const std::string &m = rec.message;
  if (m.find("timeout") != std::string::npos)
    return "timeout";
  if (m.find("disk") != std::string::npos)
    return "disk";
  if (m.find("permission") != std::string::npos)
    return "auth";
  if (m.find("connection") != std::string::npos)
    return "network";
  return "other";
}

namespace {

// Classifies one batch into `out`. Returns how many results were accepted.
std::size_t publish(ResultQueue &out, const Batch &batch) {
  std::size_t accepted = 0;
  for (const LogRecord &rec : batch.records)
    if (out.push(Classified{batch.id, rec.host, classify(rec)}))
      ++accepted;
  return accepted;
}

} // namespace

WorkerPool::WorkerPool(unsigned workers) {
  for (unsigned i = 0; i < workers; ++i)
    workers_.emplace_back([jobs = jobs_, results = results_] {
      Batch batch;
      while (jobs->pop(batch))
        publish(*results, batch);
      results->close(); // BUG(channel-close-with-active-senders): every worker closes the shared results queue when it runs out of jobs, while the other workers may still be publishing
    });
}

WorkerPool::~WorkerPool() {
  if (!jobs_->is_closed())
    jobs_->close(); // the owner never sent the last batch: release the workers
  for (std::thread &t : workers_)
    t.join();
}

void WorkerPool::submit(Batch batch, bool last) {
  if (last)
    jobs_->close(); // no more work after this batch
  jobs_->push(std::move(batch)); // BUG(channel-send-after-close): the last batch is pushed after the close above and is dropped
}

std::vector<Classified> WorkerPool::collect() {
  std::vector<Classified> out;
  Classified c;
  while (results_->pop(c))
    out.push_back(std::move(c));
  return out;
}

std::map<std::string, std::size_t>
count_by_host(const std::vector<LogRecord> &records, unsigned workers) {
  auto hosts = std::make_shared<boost::fibers::buffered_channel<std::string>>(16);
  auto totals = std::async(std::launch::async, [hosts] {
    std::map<std::string, std::size_t> counts;
    for (std::string &host : *hosts)
      ++counts[host];
    return counts;
  });
  std::vector<std::thread> pool;
  for (unsigned w = 0; w < workers; ++w)
    pool.emplace_back([hosts, &records, w, workers] {
      for (std::size_t i = w; i < records.size(); i += workers)
        hosts->push(records[i].host);
    });
  for (std::thread &t : pool)
    t.join();
  hosts->close(); // correct: every sender has been joined
  return totals.get();
}

} // namespace logpipe
