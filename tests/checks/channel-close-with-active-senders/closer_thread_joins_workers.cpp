// Go's `go func() { wg.Wait(); close(results) }()`: a separate closer
// thread joins every worker and then closes, while the owner consumes.
// Correct: no check may report anything here.
#include <boost/fiber/buffered_channel.hpp>
#include <thread>
#include <vector>

using Chan = boost::fibers::buffered_channel<int>;
using boost::fibers::channel_op_status;

int closer_thread_joins(Chan &jobs, Chan &results, int n) {
  std::vector<std::thread> workers;
  for (int i = 0; i < n; ++i)
    workers.emplace_back([&jobs, &results] {
      int j;
      while (jobs.pop(j) == channel_op_status::success)
        results.push(j * 2);
    });
  std::thread closer([&workers, &results] {
    for (auto &w : workers)
      w.join();
    results.close();
  });
  int sum = 0, v;
  while (results.pop(v) == channel_op_status::success)
    sum += v;
  closer.join();
  return sum;
}
