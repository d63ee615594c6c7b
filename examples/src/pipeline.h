// The log pipeline: reader -> parser -> aggregator -> alerter, connected by
// Boost.Fiber channels and run on std::thread / std::jthread / std::async.
#pragma once

#include "log_record.h"

#include <array>
#include <atomic>
#include <boost/fiber/buffered_channel.hpp>
#include <boost/fiber/unbuffered_channel.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

namespace logpipe {

using RawChannel = boost::fibers::buffered_channel<std::string>;
using RecordChannel = boost::fibers::buffered_channel<LogRecord>;
using AlertChannel = boost::fibers::unbuffered_channel<std::string>;

struct PipelineOptions {
  std::size_t max_bad_lines = 100;          // abort the parse stage beyond
  std::chrono::milliseconds deadline{5000}; // hard stop after this
};

struct Summary {
  std::array<std::size_t, kLevels> by_level{};
  std::size_t malformed = 0;
  std::size_t dropped = 0; // input lines thrown away by a hard stop
  std::vector<LogRecord> errors;
  std::vector<std::string> alerts;
};

class Pipeline {
public:
  explicit Pipeline(PipelineOptions opts) : opts_(opts) {}

  // Runs every stage over `lines` and waits for all of them.
  Summary run(const std::vector<std::string> &lines);

  // Prints the number of processed records every 100ms.
  void start_progress_reporter();

private:
  void parse_stage();
  Summary aggregate();
  void alert_stage();
  void stop(bool hard);

  PipelineOptions opts_;
  RawChannel raw_{64};
  RecordChannel parsed_{64};
  AlertChannel alerts_;
  std::vector<std::string> alert_log_; // written by the alert stage only

  std::mutex stats_mu_; // guards seen_, malformed_, dropped_
  std::size_t seen_ = 0;
  std::size_t malformed_ = 0;
  std::size_t dropped_ = 0;
  std::atomic<bool> running_{false};
};

// Helpers shared by the stages (stage_helpers.cpp).

// Hard stop of the input: closes `raw` so that the reader stops and throws
// away the lines still buffered. Returns how many were thrown away.
std::size_t abort_input(RawChannel &raw);

// The line of the synthetic self-test record pushed on every run.
std::string probe_line();

std::string format_alert(const LogRecord &rec);

} // namespace logpipe
