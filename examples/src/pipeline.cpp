#include "pipeline.h"

#include <boost/fiber/channel_op_status.hpp>
#include <future>
#include <iostream>
#include <thread>

namespace logpipe {

Summary Pipeline::run(const std::vector<std::string> &lines) {
  const auto started = std::chrono::steady_clock::now();
  running_ = true;

  // Downstream stages first, so that the bounded channels drain.
  std::jthread parser([this] { parse_stage(); });
  std::thread alerter([this] { alert_stage(); });
  auto summary = std::async(std::launch::async, [this] { return aggregate(); });

  std::thread reader([this, &lines] {
    for (const std::string &line : lines)
      raw_.push(line);
  });
  // Every run pushes one synthetic ERROR record, so that the alert path is
  // exercised end to end.
  std::thread probe([this] {
    raw_.push(probe_line()); // BUG(channel-send-after-close): stop() below closes raw_ after joining the reader but before joining this thread; the probe record is silently dropped when it loses the race
  });

  reader.join();
  stop(std::chrono::steady_clock::now() - started > opts_.deadline);
  probe.join();

  Summary s = summary.get();
  alerter.join();
  s.alerts = alert_log_;
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    s.dropped = dropped_;
  }
  running_ = false;
  return s;
} // ~jthread joins the parser

void Pipeline::stop(bool hard) {
  if (hard) {
    std::cerr << "deadline exceeded: dropping buffered input\n";
    std::size_t n = abort_input(raw_);
    std::lock_guard<std::mutex> lock(stats_mu_);
    dropped_ += n;
  }
  raw_.close(); // BUG(channel-double-close): on the hard-stop path abort_input() (stage_helpers.cpp) has already closed raw_
}

void Pipeline::parse_stage() {
  std::size_t bad = 0;
  bool aborted = false;
  for (std::string &line : raw_) {
    if (aborted)
      continue; // keep draining raw_ so that the reader never blocks
    auto rec = parse_line(line);
    if (!rec) {
      std::lock_guard<std::mutex> lock(stats_mu_);
      ++malformed_;
      if (++bad > opts_.max_bad_lines) {
        std::cerr << "too many malformed lines, aborting the parse stage\n";
        parsed_.close(); // error path: let the aggregator finish early
        aborted = true;
      }
      continue;
    }
    parsed_.push(std::move(*rec));
  }
  parsed_.close(); // BUG(channel-double-close): the error path above already closed parsed_ and the loop goes on to this close
}

Summary Pipeline::aggregate() {
  Summary s;
  for (LogRecord &rec : parsed_) {
    std::lock_guard<std::mutex> lock(stats_mu_);
    ++seen_;
    ++s.by_level[level_index(rec.level)];
    if (rec.level == Level::Error) {
      alerts_.push(format_alert(rec)); // BUG(lock-held-across-blocking): stats_mu_ is held while blocking on the unbuffered alert channel; the progress reporter stalls behind it
      s.errors.push_back(std::move(rec));
    }
  }
  alerts_.close(); // the only sender closes, after its last send
  std::lock_guard<std::mutex> lock(stats_mu_);
  s.malformed = malformed_;
  return s;
}

void Pipeline::alert_stage() {
  for (std::string &alert : alerts_)
    alert_log_.push_back(std::move(alert));
}

void Pipeline::start_progress_reporter() {
  running_ = true;
  std::thread([this] {
    while (running_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::lock_guard<std::mutex> lock(stats_mu_);
      std::cerr << "progress: " << seen_ << " records\n";
    }
  }).detach(); // BUG(thread-leak): the thread captures `this` and nobody waits for it, so it can read stats_mu_ and seen_ after the Pipeline is destroyed
}

} // namespace logpipe
