// The "in the call to ... here" note names the function called at that line
// (abort_all), not the innermost function that contains the close
// (close_now).
#include <boost/fiber/buffered_channel.hpp>

using Chan = boost::fibers::buffered_channel<int>;

struct Output {
  Chan ch{4};
  void close_now() { ch.close(); }  // want-note "first close here"
};

// A second layer between the caller and the close.
void abort_all(Output &o) { o.close_now(); }

void run(Output &o, bool failed) {
  o.ch.push(1);
  if (failed)
    abort_all(o);  // want-note "in the call to 'abort_all' here"
  o.ch.close();  // want channel-double-close "may already be closed"
}
