// Go's fan-out `worker(id, in) <-chan`: every worker owns a fresh output
// channel created in its loop iteration, and closes it after its last send.
// Correct: no check may report anything here.
// Currently reported (false positive): channel-close-with-active-senders
// "closed by each of several concurrent senders" on `out->close()`: the
// thread started in the loop is treated as several instances sharing one
// channel, although `out` is a new object in every iteration.
#include <boost/thread/concurrent_queues/sync_queue.hpp>
#include <memory>
#include <thread>
#include <vector>

using Queue = boost::concurrent::sync_queue<int>;
using QueuePtr = std::shared_ptr<Queue>;

bool next(Queue &q, int &v) {
  try {
    q.pull(v);
    return true;
  } catch (const boost::sync_queue_is_closed &) {
    return false;
  }
}

std::vector<QueuePtr> start_workers(QueuePtr in, int n,
                                    std::vector<std::jthread> &threads) {
  std::vector<QueuePtr> outs;
  for (int i = 0; i < n; ++i) {
    auto out = std::make_shared<Queue>();
    threads.emplace_back([in, out, i] {
      int v;
      while (next(*in, v))
        out->push(v + i);
      out->close();
    });
    outs.push_back(out);
  }
  return outs;
}
