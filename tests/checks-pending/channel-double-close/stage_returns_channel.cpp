// A pipeline stage returns the channel that its own thread closes after the
// last send (Go's generator); the caller closes the returned channel again.
// The stage thread may also still push when the caller closes.
// Currently missed: threads started inside a callee (stage()) are not part
// of the caller's flow, so the stage thread's close is not seen.
#include <boost/fiber/buffered_channel.hpp>
#include <memory>
#include <thread>
#include <vector>

using Chan = boost::fibers::buffered_channel<int>;
using ChanPtr = std::shared_ptr<Chan>;

ChanPtr stage(std::vector<std::jthread> &threads, std::vector<int> xs) {
  auto out = std::make_shared<Chan>(8);
  threads.emplace_back([out, xs] {
    for (int x : xs)
      out->push(x);  // want channel-send-after-close "not joined before the close"
    out->close();  // want-note "first close here"
  });
  return out;
}

void run(std::vector<std::jthread> &threads) {
  auto out = stage(threads, {1, 2, 3});
  out->close();  // want channel-double-close "closed twice|may already be closed"
}
