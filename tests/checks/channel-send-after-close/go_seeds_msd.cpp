// The Go seeds' correct channel shapes with msd::channel (the
// andreiavrammsd/cpp-channel API). No `want` comments: nothing here may be
// reported by any check.
#include <msd/channel.hpp>
#include <future>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

using Chan = msd::channel<int>;
using ChanPtr = std::shared_ptr<Chan>;

// --- pipeline stages: each producer closes its own output ------------------

ChanPtr generate(std::vector<int> nums, std::vector<std::jthread> &stages) {
  auto out = std::make_shared<Chan>(4);
  stages.emplace_back([out, nums] {
    for (int n : nums)
      *out << n;
    out->close();
  });
  return out;
}

ChanPtr square(ChanPtr in, std::vector<std::jthread> &stages) {
  auto out = std::make_shared<Chan>(4);
  stages.emplace_back([in, out] {
    for (int n : *in)
      *out << n * n;
    out->close();
  });
  return out;
}

int run_pipeline(const std::vector<int> &xs) {
  int sum = 0;
  {
    std::vector<std::jthread> stages;
    auto out = square(generate(xs, stages), stages);
    for (int v : *out)
      sum += v;
  }
  return sum;
}

// --- generator stopped by a stop token -------------------------------------

class Numbers {
public:
  Numbers() : out_(std::make_shared<Chan>(1)) {
    gen_ = std::jthread([out = out_](std::stop_token st) {
      for (int i = 0; !st.stop_requested(); ++i)
        if (!out->write(i))
          break;
      out->close();
    });
  }
  std::vector<int> first(int n) {
    std::vector<int> got;
    int v;
    while (static_cast<int>(got.size()) < n && out_->read(v))
      got.push_back(v);
    gen_.request_stop();
    while (out_->read(v)) {
    }
    return got;
  }

private:
  ChanPtr out_;
  std::jthread gen_;
};

// --- worker pool: the dispatcher closes jobs --------------------------------

class WorkerPool {
public:
  explicit WorkerPool(int n) {
    for (int i = 0; i < n; ++i)
      workers_.emplace_back([this] {
        for (const std::string &job : jobs_)
          results_ << static_cast<int>(job.size());
      });
  }

  std::vector<int> run(const std::vector<std::string> &batch) {
    std::thread dispatcher([this, &batch] {
      for (const auto &j : batch)
        jobs_ << std::string(j);
      jobs_.close();
    });
    dispatcher.join();
    for (auto &w : workers_)
      w.join();
    results_.close();
    std::vector<int> out;
    for (int r : results_)
      out.push_back(r);
    return out;
  }

private:
  msd::channel<std::string> jobs_{16};
  msd::channel<int> results_{1024};
  std::vector<std::thread> workers_;
};

// --- fan-in merge with futures as the wait group ---------------------------

void merge(std::vector<ChanPtr> inputs, Chan &out) {
  std::vector<std::future<void>> done;
  for (ChanPtr in : inputs)
    done.push_back(std::async(std::launch::async, [in, &out] {  // want thread-unbounded-spawn "parameter 'inputs' of 'merge', whose size comes from its callers"
      for (int v : *in)
        out.write(v);
    }));
  for (auto &f : done)
    f.get();
  out.close();
}

// --- bounded channel that holds every send ---------------------------------

int collect_eight() {
  Chan ch{8};
  std::thread producer([&ch] {
    for (int i = 0; i < 8; ++i)
      ch << i;
    ch.close();
  });
  producer.join();
  int sum = 0;
  for (int v : ch)
    sum += v;
  return sum;
}
