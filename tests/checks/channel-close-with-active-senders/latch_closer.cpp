// A std::latch as the wait group: every sender counts down after its last
// send, the closer waits on the latch and then closes. Correct: the latch is
// Go's WaitGroup.
#include <boost/fiber/buffered_channel.hpp>
#include <latch>
#include <thread>
#include <vector>

using Chan = boost::fibers::buffered_channel<int>;
using boost::fibers::channel_op_status;

int latch_closer(Chan &results, int n) {
  std::latch done(n);
  std::vector<std::jthread> senders;
  for (int i = 0; i < n; ++i)
    senders.emplace_back([&results, &done, i] {  // want thread-unbounded-spawn "parameter 'n' of 'latch_closer', whose value comes from its callers"
      results.push(i);
      done.count_down();
    });
  std::jthread closer([&results, &done] {
    done.wait();
    results.close();
  });
  int sum = 0, v;
  while (results.pop(v) == channel_op_status::success)
    sum += v;
  return sum;
}
