// A pool joined with std::for_each (or std::ranges::for_each) before the
// close. Correct: no check may report anything here.
// Currently reported (false positive): channel-send-after-close on the
// readers' push; only range-for / index loops calling join() are
// recognised as joining a container of threads.
#include <boost/thread/concurrent_queues/sync_queue.hpp>
#include <algorithm>
#include <string>
#include <thread>
#include <vector>

using Lines = boost::concurrent::sync_queue<std::string>;

void for_each_join(Lines &q, const std::vector<std::string> &files) {
  std::vector<std::thread> readers;
  for (const auto &f : files)
    readers.emplace_back([&q, f] { q.push(f); });  // want thread-unbounded-spawn "parameter 'files' of 'for_each_join', whose size comes from its callers"
  std::for_each(readers.begin(), readers.end(),
                [](std::thread &t) { t.join(); });
  q.close();
}
