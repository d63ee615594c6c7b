// channel-close-with-active-senders with several libraries and holders:
// std::async tasks, jthreads, thread functions with raw pointers, helpers
// that send and close, bounded queues, a class that owns the channel.
#include <boost/fiber/buffered_channel.hpp>
#include <boost/fiber/unbuffered_channel.hpp>
#include <boost/thread/concurrent_queues/sync_bounded_queue.hpp>
#include <boost/thread/concurrent_queues/sync_queue.hpp>
#include <msd/channel.hpp>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using Chan = boost::fibers::buffered_channel<int>;
using Queue = boost::concurrent::sync_queue<std::string>;

// --- must flag -------------------------------------------------------------

// Each async task sends its result and closes: the first close makes the
// other tasks' pushes fail.
class Aggregator {
public:
  void gather(int n) {
    std::vector<std::future<void>> tasks;
    for (int i = 0; i < n; ++i)
      tasks.push_back(std::async(std::launch::async, [this, i] {  // want-note "senders started here"  want thread-unbounded-spawn "parameter 'n' of 'gather', whose value comes from its callers"
        results_->push(i * i);  // want-note "concurrent send"
        results_->close();  // want channel-close-with-active-senders "each of several concurrent senders"
      }));
    for (auto &t : tasks)
      t.get();
  }

private:
  std::shared_ptr<Chan> results_ = std::make_shared<Chan>(64);
};

// Two forwarders on one output; the first one closes when its input ends,
// while the second may still forward.
void merge_two(Chan &a, Chan &b, Chan &out) {
  std::thread fa([&a, &out] {  // want-note "closing thread is started here"
    int v;
    while (a.pop(v) == boost::fibers::channel_op_status::success)
      out.push(v);
    out.close();  // want channel-close-with-active-senders "while another sender may still send"
  });
  std::thread fb([&b, &out] {
    int v;
    while (b.pop(v) == boost::fibers::channel_op_status::success)
      out.push(v);  // want-note "concurrent send"
  });
  fa.join();
  fb.join();
}

// The owner writes a trailer and closes while jthread workers still write.
void report(msd::channel<std::string> &lines, int shards) {
  std::vector<std::jthread> workers;
  for (int s = 0; s < shards; ++s)
    workers.emplace_back([&lines, s] {  // want thread-unbounded-spawn "parameter 'shards' of 'report', whose value comes from its callers"
      lines << "shard " + std::to_string(s);  // want-note "concurrent send"
    });
  lines << std::string("end of report");
  lines.close();  // want channel-close-with-active-senders "while another sender may still send"
}

// A thread function taking a raw pointer sends and closes; it is started
// once per input file.
void read_file(Queue *out, std::string name) {
  out->push(name + ": header");  // want-note "concurrent send"
  out->close();  // want channel-close-with-active-senders "each of several concurrent senders"
}
void read_all(Queue &q, const std::vector<std::string> &files) {
  std::vector<std::thread> readers;
  for (const auto &f : files)
    readers.emplace_back(read_file, &q, f);  // want-note "senders started here"  want thread-unbounded-spawn "parameter 'files' of 'read_all', whose size comes from its callers"
  for (auto &r : readers)
    r.join();
}

// Each worker calls a helper that sends the end marker and closes.
void finish(boost::concurrent::sync_bounded_queue<int> &q, int id) {
  q.push(-id);
  q.close();  // want channel-close-with-active-senders "each of several concurrent senders"
}
void run_workers(boost::concurrent::sync_bounded_queue<int> &q, int n) {
  std::vector<std::thread> ws;
  for (int i = 0; i < n; ++i)
    ws.emplace_back([&q, i] {  // want-note "senders started here"  want thread-unbounded-spawn "parameter 'n' of 'run_workers', whose value comes from its callers"
      q.push(i);  // want-note "concurrent send"
      finish(q, i);
    });
  for (auto &w : ws)
    w.join();
}

// An unbuffered hand-off channel member: the feeder thread sends, the
// owner sends a final value and closes without joining the feeder first.
class Relay {
public:
  void run(const std::vector<int> &xs) {
    std::thread feeder([this, &xs] {
      for (int x : xs)
        out_.push(x);  // want-note "concurrent send"
    });
    out_.push(0);
    out_.close();  // want channel-close-with-active-senders "while another sender may still send"
    feeder.join();
  }

private:
  boost::fibers::unbuffered_channel<int> out_;
};

// --- must not flag ---------------------------------------------------------

// Each task sends; the owner closes after get() on every future.
void gather_then_close(std::shared_ptr<Chan> results, int n) {
  std::vector<std::future<void>> tasks;
  for (int i = 0; i < n; ++i)
    tasks.push_back(std::async(std::launch::async,  // want thread-unbounded-spawn "parameter 'n' of 'gather_then_close', whose value comes from its callers"
                               [results, i] { results->push(i); }));
  for (auto &t : tasks)
    t.get();
  results->close();
}

// jthreads in a scope: their destructors join before the close.
void report_joined(msd::channel<std::string> &lines, int shards) {
  {
    std::vector<std::jthread> workers;
    for (int s = 0; s < shards; ++s)
      workers.emplace_back(  // want thread-unbounded-spawn "parameter 'shards' of 'report_joined', whose value comes from its callers"
          [&lines, s] { lines << "shard " + std::to_string(s); });
  }
  lines << std::string("end of report");
  lines.close();
}

// Two named forwarders joined before the single close.
void merge_two_joined(Chan &a, Chan &b, Chan &out) {
  std::thread fa([&a, &out] {
    for (int v : a)
      out.push(v);
  });
  std::thread fb([&b, &out] {
    for (int v : b)
      out.push(v);
  });
  fa.join();
  fb.join();
  out.close();
}

// Several senders on a channel nobody closes while they run; the owner
// sends and closes once after joining all of them.
class Collector {
public:
  void collect(int n) {
    std::vector<std::thread> ts;
    for (int i = 0; i < n; ++i)
      ts.emplace_back([this, i] { out_.push(std::to_string(i)); });  // want thread-unbounded-spawn "parameter 'n' of 'collect', whose value comes from its callers"
    for (auto &t : ts)
      t.join();
    out_.push("done");
    out_.close();
  }

private:
  Queue out_;
};

// One sender closes; the other threads only receive (fan-out readers).
void fan_out(Chan &jobs, int readers) {
  std::vector<std::thread> rs;
  for (int i = 0; i < readers; ++i)
    rs.emplace_back([&jobs] {
      int v;
      while (jobs.pop(v) == boost::fibers::channel_op_status::success) {
      }
    });
  std::thread producer([&jobs] {
    for (int i = 0; i < 100; ++i)
      jobs.push(i);
    jobs.close();
  });
  producer.join();
  for (auto &r : rs)
    r.join();
}

// Senders on different channels, each closing its own.
void per_sender_channels(Chan &a, Chan &b) {
  std::thread ta([&a] {
    a.push(1);
    a.close();
  });
  std::thread tb([&b] {
    b.push(2);
    b.close();
  });
  ta.join();
  tb.join();
}
