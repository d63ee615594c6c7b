// logpipe: reads log lines (a file, or synthetic input), counts them by
// level, raises alerts for errors, classifies the errors on a worker pool and
// counts them per host.
//
//   logpipe [--lines N] [--workers N] [--progress] [--stream] [--watch]
//           [--hang] [FILE]
//
// --progress, --stream and --watch enable code paths with known bugs (see
// README.md); --stream and --watch make the program hang. --hang is --watch
// with the heartbeat queue left open, so the watcher blocks in pop() and
// main in ~jthread (scripts/example.sh dumps its threads then).
#include "blocking_queue.h"
#include "log_record.h"
#include "pipeline.h"
#include "worker_pool.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>

using namespace logpipe;

namespace {

struct CliOptions {
  std::size_t lines = 5000;
  unsigned workers = 4;
  bool progress = false;
  bool stream = false;
  bool watch = false;
  bool hang = false;
  std::string input;
};

bool parse_args(int argc, char **argv, CliOptions &o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--lines" || a == "--workers") && i + 1 < argc) {
      unsigned long v = std::strtoul(argv[++i], nullptr, 10);
      if (a == "--lines")
        o.lines = v;
      else
        o.workers = std::max(1ul, v);
    } else if (a == "--progress") {
      o.progress = true;
    } else if (a == "--stream") {
      o.stream = true;
    } else if (a == "--watch") {
      o.watch = true;
    } else if (a == "--hang") {
      o.watch = o.hang = true;
    } else if (!a.empty() && a[0] != '-') {
      o.input = a;
    } else {
      return false;
    }
  }
  return true;
}

std::vector<std::string> read_lines(const std::string &path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

// --stream: the lines reach the pipeline through a channel fed by a
// generator thread, as they would from a socket.
std::vector<std::string> receive_stream(const std::vector<std::string> &lines) {
  auto live = std::make_shared<RawChannel>(64);
  std::thread([live, lines] {
    for (const std::string &line : lines)
      live->push(line); // BUG(channel-unclosed): the generator never closes `live` after its last send, so the caller's loop below never ends
  }).detach();
  std::vector<std::string> received;
  for (std::string &line : *live)
    received.push_back(std::move(line));
  return received;
}

// --watch: prints a heartbeat for every batch handed to the worker pool.
std::jthread start_watcher(std::shared_ptr<BlockingQueue<std::size_t>> beats) {
  return std::jthread([beats](std::stop_token) {
    for (;;) { // BUG(cancel-missing): the stop token above is ignored and the loop has no exit, so ~jthread hangs in join
      std::size_t id = 0;
      if (beats->pop(id))
        std::cerr << "heartbeat: batch " << id << "\n";
    }
  });
}

} // namespace

int main(int argc, char **argv) {
  CliOptions cli;
  if (!parse_args(argc, argv, cli)) {
    std::cerr << "usage: logpipe [--lines N] [--workers N] [--progress] "
                 "[--stream] [--watch] [--hang] [FILE]\n";
    return 2;
  }
  std::vector<std::string> lines =
      cli.input.empty() ? generate_lines(cli.lines, 42) : read_lines(cli.input);
  if (cli.stream)
    lines = receive_stream(lines);

  Pipeline pipeline(PipelineOptions{});
  if (cli.progress)
    pipeline.start_progress_reporter();
  Summary s = pipeline.run(lines);

  std::cout << "lines: " << lines.size() << ", malformed: " << s.malformed
            << ", dropped: " << s.dropped << "\n";
  for (std::size_t l = 0; l < kLevels; ++l)
    std::cout << "  " << level_name(static_cast<Level>(l)) << ": "
              << s.by_level[l] << "\n";
  std::cout << "alerts: " << s.alerts.size() << "\n";

  // Classify the errors in batches of 16.
  auto beats = std::make_shared<BlockingQueue<std::size_t>>();
  std::jthread watcher;
  if (cli.watch)
    watcher = start_watcher(beats);
  std::vector<Classified> classified;
  {
    WorkerPool pool(cli.workers);
    const std::size_t n = s.errors.size();
    const std::size_t batches = std::max<std::size_t>(1, (n + 15) / 16);
    for (std::size_t b = 0; b < batches; ++b) {
      Batch batch{b, {}};
      for (std::size_t i = b * 16; i < std::min(n, (b + 1) * 16); ++i)
        batch.records.push_back(s.errors[i]);
      pool.submit(std::move(batch), b + 1 == batches);
      if (cli.watch)
        beats->push(b);
    }
    classified = pool.collect();
  }
  if (!cli.hang)
    beats->close();

  std::map<std::string, std::size_t> categories;
  for (const Classified &c : classified)
    ++categories[c.category];
  std::cout << "classified: " << classified.size() << " of " << s.errors.size()
            << " errors\n";
  for (const auto &[category, count] : categories)
    std::cout << "  " << category << ": " << count << "\n";

  std::cout << "errors per host:\n";
  for (const auto &[host, count] : count_by_host(s.errors, cli.workers))
    std::cout << "  " << host << ": " << count << "\n";
  return 0;
}
