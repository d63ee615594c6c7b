// A close inside a loop body runs again on a later iteration: two empty
// lines close the queue twice (and the push after the first close throws
// sync_queue_is_closed).
// Currently: the send after close is reported, the double close is missed:
// a close is never reported against itself along the loop's back edge.
#include <boost/thread/concurrent_queues/sync_queue.hpp>
#include <string>
#include <vector>

using Queue = boost::concurrent::sync_queue<std::string>;

void retry_send(Queue &q, const std::vector<std::string> &lines) {
  for (const auto &l : lines) {
    if (l.empty())
      q.close();  // want channel-double-close "may already be closed" want-note "first close here" want-note "closed here"
    else
      q.push(l);  // want channel-send-after-close "after it may have been closed"
  }
}
