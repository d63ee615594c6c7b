// The Go seeds' correct channel shapes, written with Boost.Fiber channels
// shared between std::threads. No `want` comments: nothing here may be
// reported by any check.
//   - pipeline stages: each stage's producer closes its own output
//   - generator returning a channel, stopped by a stop token
//   - worker pool whose dispatcher closes the jobs channel
//   - fan-in merge that closes after joining every sender
//   - bounded channel whose capacity covers every send
#include <boost/fiber/buffered_channel.hpp>
#include <boost/fiber/unbuffered_channel.hpp>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

using boost::fibers::channel_op_status;
using IntChan = boost::fibers::buffered_channel<int>;
using IntChanPtr = std::shared_ptr<IntChan>;

// --- pipeline: generate -> square -> filter --------------------------------

class Pipeline {
public:
  // Stage 1: the generator owns its output and closes it after the last
  // value (Go's `defer close(out)`).
  IntChanPtr generate(std::vector<int> nums) {
    auto out = std::make_shared<IntChan>(8);
    stages_.emplace_back([out, nums] {
      for (int n : nums)
        out->push(n);
      out->close();
    });
    return out;
  }

  // Stage 2: reads until the upstream is closed, then closes downstream.
  IntChanPtr square(IntChanPtr in) {
    auto out = std::make_shared<IntChan>(8);
    stages_.emplace_back([in, out] {
      int n;
      while (in->pop(n) == channel_op_status::success)
        out->push(n * n);
      out->close();
    });
    return out;
  }

  IntChanPtr filter(IntChanPtr in, int threshold) {
    auto out = std::make_shared<IntChan>(8);
    stages_.emplace_back([in, out, threshold] {
      for (int n : *in)
        if (n > threshold)
          out->push(n);
      out->close();
    });
    return out;
  }

  ~Pipeline() {
    for (auto &t : stages_)
      t.join();
  }

private:
  std::vector<std::jthread> stages_;
};

int sum_of_big_squares(const std::vector<int> &xs) {
  Pipeline p;
  auto ch = p.filter(p.square(p.generate(xs)), 10);
  int sum = 0;
  for (int v : *ch)
    sum += v;
  return sum;
}

// --- generator stopped by a stop token -------------------------------------

class Ticker {
public:
  explicit Ticker(std::size_t cap) : ticks_(std::make_shared<IntChan>(cap)) {}

  IntChanPtr start() {
    worker_ = std::jthread([out = ticks_](std::stop_token st) {
      for (int i = 0; !st.stop_requested(); ++i)
        if (out->push(i) != channel_op_status::success)
          break;
      out->close();
    });
    return ticks_;
  }

  // The consumer asks the producer to stop and drains what is left; the
  // producer alone closes.
  int take(int n) {
    int got = 0, v;
    while (got < n && ticks_->pop(v) == channel_op_status::success)
      ++got;
    worker_.request_stop();
    while (ticks_->pop(v) == channel_op_status::success) {
    }
    return got;
  }

private:
  IntChanPtr ticks_;
  std::jthread worker_;
};

// --- worker pool: the dispatcher closes jobs, merge closes results ---------

struct Job {
  int id;
  std::string url;
};
using JobChan = boost::fibers::buffered_channel<Job>;
using ResultChan = boost::fibers::buffered_channel<std::string>;

std::string fetch(const Job &j) { return j.url + "#" + std::to_string(j.id); }

std::vector<std::string> fetch_all(const std::vector<std::string> &urls,
                                   int concurrency) {
  JobChan jobs{16};
  ResultChan results{64};

  std::vector<std::thread> workers;
  for (int i = 0; i < concurrency; ++i)
    workers.emplace_back([&jobs, &results] {
      Job j;
      while (jobs.pop(j) == channel_op_status::success)
        results.push(fetch(j));
    });

  std::thread dispatcher([&jobs, &urls] {
    int id = 0;
    for (const auto &u : urls)
      jobs.push(Job{id++, u});
    jobs.close();
  });

  dispatcher.join();
  for (auto &w : workers)
    w.join();
  results.close();

  std::vector<std::string> out;
  std::string r;
  while (results.pop(r) == channel_op_status::success)
    out.push_back(r);
  return out;
}

// --- fan-in merge -----------------------------------------------------------

void merge(const std::vector<IntChanPtr> &inputs, IntChan &out) {
  std::vector<std::thread> forwarders;
  for (const IntChanPtr &in : inputs)
    forwarders.emplace_back([in, &out] {  // want thread-unbounded-spawn "parameter 'inputs' of 'merge', whose size comes from its callers"
      for (int v : *in)
        out.push(v);
    });
  for (auto &f : forwarders)
    f.join();
  out.close();
}

// --- bounded channel that holds every send ---------------------------------

int squares_buffered() {
  IntChan ch{16};
  std::thread producer([&ch] {
    for (int i = 0; i < 8; ++i)
      ch.push(i * i);
    ch.close();
  });
  producer.join(); // cannot block: 8 sends fit in the buffer
  int sum = 0, v;
  while (ch.pop(v) == channel_op_status::success)
    sum += v;
  return sum;
}

// --- unbuffered hand-off ----------------------------------------------------

void hand_off(std::vector<int> xs) {
  boost::fibers::unbuffered_channel<int> ch;
  std::thread consumer([&ch] {
    int v;
    while (ch.pop(v) == channel_op_status::success) {
    }
  });
  for (int x : xs)
    ch.push(x);
  ch.close();
  consumer.join();
}
