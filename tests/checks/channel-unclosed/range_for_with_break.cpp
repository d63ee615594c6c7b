// A range-for over a channel that leaves the loop with `break` once it has
// what it needs: it never waits for a close. The shape of cpp-channel's
// examples/move.cpp (break when the channel is empty, all sends done
// before) and of the spec's "consumer that reads a known count".
// Correct: no check may report anything here.
// Currently reported (false positive): channel-unclosed at the first push
// ("never closed after this send, but a receiver waits for it to be
// closed"): a range-for is taken to wait for the close even when every
// value it reads is already sent and it breaks out after the last one.
#include <boost/fiber/buffered_channel.hpp>

using Chan = boost::fibers::buffered_channel<int>;

int three() {
  Chan ch{8};
  ch.push(1);
  ch.push(2);
  ch.push(3);
  int sum = 0, n = 0;
  for (int v : ch) {
    sum += v;
    if (++n == 3)
      break;
  }
  return sum;
}
