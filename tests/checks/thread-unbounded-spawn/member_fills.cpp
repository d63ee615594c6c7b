// A member container's size is answered by how the code of the translation
// unit fills it (analysis/CountOrigin), as a local's is: the loops around
// each insert, a cap on those loops, one element per call when a method
// stores what its caller hands in. A member nobody here fills is input.
#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

struct Request {
  std::string path;
  std::string body;
};
void handle(const Request &r);

// --- must not flag ----------------------------------------------------------

// A job split into sub-ranges: the ranges are computed from the input's
// anchors, but the loop that computes them stops at a planned number of
// sub-jobs. The number of threads is at most that number, which comes from
// options we cannot follow: unsure, so quiet.
struct Anchor {
  std::string key;
  std::uint64_t size = 0;
};
struct SubRange {
  SubRange(std::optional<std::string> b, std::optional<std::string> e,
           std::uint32_t id)
      : begin(std::move(b)), end(std::move(e)), id(id) {}
  std::optional<std::string> begin, end;
  std::uint32_t id;
  std::uint64_t written = 0;
};
struct JobState {
  std::vector<SubRange> sub_ranges;
};
std::vector<Anchor> anchors_of(const std::string &file);
std::uint64_t planned_sub_jobs();

class SplitJob {
public:
  explicit SplitJob(std::vector<std::string> files)
      : files_(std::move(files)), state_(std::make_unique<JobState>()) {}

  void prepare() {
    plan_boundaries();
    if (!boundaries_.empty()) {
      for (std::size_t i = 0; i <= boundaries_.size(); i++)
        state_->sub_ranges.emplace_back(
            i != 0 ? std::optional<std::string>(boundaries_[i - 1])
                   : std::nullopt,
            i != boundaries_.size()
                ? std::optional<std::string>(boundaries_[i])
                : std::nullopt,
            static_cast<std::uint32_t>(i));
    } else {
      std::optional<std::string> all;
      state_->sub_ranges.emplace_back(all, all, 0);
    }
  }

  void run() {
    std::vector<std::thread> workers;
    workers.reserve(state_->sub_ranges.size());
    for (std::size_t i = 1; i < state_->sub_ranges.size(); i++)
      workers.emplace_back(&SplitJob::process, this, &state_->sub_ranges[i]);
    process(&state_->sub_ranges[0]);
    for (auto &t : workers)
      t.join();
  }

private:
  void plan_boundaries() {
    std::vector<Anchor> all;
    std::uint64_t total = 0;
    for (const std::string &f : files_) {
      std::vector<Anchor> mine = anchors_of(f);
      for (const Anchor &a : mine)
        total += a.size;
      all.insert(all.end(), mine.begin(), mine.end());
    }
    std::uint64_t planned;
    planned = planned_sub_jobs();
    if (planned <= 1)
      return;
    std::uint64_t target = total / planned, seen = 0, next = target;
    std::uint64_t actual = 1;
    for (const Anchor &a : all) {
      seen += a.size;
      if (seen > next) {
        next += target;
        actual++;
        boundaries_.push_back(a.key);
      }
      if (actual == planned)
        break;
    }
  }
  void process(SubRange *r) { r->written += r->id; }

  std::vector<std::string> files_;
  std::vector<std::string> boundaries_;
  std::unique_ptr<JobState> state_;
};

// Shards set up once, in the constructor, by a constant-bound loop.
class ShardedIndex {
public:
  static constexpr int kShards = 8;
  ShardedIndex() {
    for (int i = 0; i < kShards; ++i)
      shards_.push_back(std::make_unique<Shard>());
  }
  void rebuild() {
    std::vector<std::thread> builders;
    for (auto &s : shards_)
      builders.emplace_back([&s] { s->rebuild(); });
    for (auto &t : builders)
      t.join();
  }

private:
  struct Shard {
    void rebuild() { ++generation; }
    int generation = 0;
  };
  std::vector<std::unique_ptr<Shard>> shards_;
};

// A batch capped by a constant: whatever the input, at most 16 requests.
class Batcher {
public:
  void take(std::istream &in) {
    int taken = 0;
    std::string line;
    while (std::getline(in, line)) {
      if (taken >= kMaxBatch)
        break;
      batch_.push_back(Request{line, {}});
      ++taken;
    }
  }
  void flush() {
    std::vector<std::thread> senders;
    for (const Request &r : batch_)
      senders.emplace_back(handle, r);
    for (auto &t : senders)
      t.join();
    batch_.clear();
  }

private:
  static constexpr int kMaxBatch = 16;
  std::vector<Request> batch_;
};

// --- must flag --------------------------------------------------------------

// Each call of enqueue() hands one request in: as many as the callers send.
class Dispatcher {
public:
  void enqueue(Request r) { pending_.push_back(std::move(r)); }
  void dispatch() {
    for (const Request &r : pending_)
      std::thread(handle, r).detach(); // want thread-unbounded-spawn "a range over member 'pending_' \(filled one per call of 'enqueue', from its parameters\)"
    pending_.clear();
  }

private:
  std::vector<Request> pending_;
};

// A member filled from a stream, a line at a time; the threads are joined
// together at the end, but all of them run at once.
class Replayer {
public:
  void load(std::istream &log) {
    for (std::string line; std::getline(log, line);)
      entries_.push_back(Request{line, {}});
  }
  void replay() {
    std::vector<std::thread> replays;
    for (std::size_t i = 0; i < entries_.size(); ++i)
      replays.emplace_back([this, i] { handle(entries_[i]); }); // want thread-unbounded-spawn "member 'entries_' \(filled in a loop driven by input"
    for (auto &t : replays)
      t.join();
  }

private:
  std::vector<Request> entries_;
};

// A cap that is itself input bounds nothing: the limit is the caller's.
class Prefetcher {
public:
  void plan(std::istream &in, std::size_t limit) {
    std::size_t n = 0;
    for (std::string url; std::getline(in, url);) {
      if (n == limit)
        break;
      urls_.push_back(Request{url, {}});
      ++n;
    }
  }
  void fetch() {
    for (const Request &r : urls_)
      std::thread(handle, r).detach(); // want thread-unbounded-spawn "a range over member 'urls_' \(filled in a loop driven by input"
  }

private:
  std::vector<Request> urls_;
};
