// Two closes behind one atomic exchange: only the first party to get there
// closes, whichever runs first. A thread started after the function's own
// guarded close is no exception; the guard used to be honoured only when
// both closes were in the analysed function itself.
// Correct: no check may report anything here.
#include <boost/fiber/buffered_channel.hpp>
#include <atomic>
#include <thread>

using Chan = boost::fibers::buffered_channel<int>;

void produce(Chan &ch, int n) {
  for (int i = 0; i < n; ++i)
    ch.push(i);
}

// The owner closes once after producing; a watchdog started afterwards
// closes too, unless the owner already did.
void shutdown_from_both(Chan &ch, std::atomic<bool> &closed, int n) {
  produce(ch, n);
  if (!closed.exchange(true))
    ch.close();
  std::thread watchdog([&ch, &closed] {
    if (!closed.exchange(true))
      ch.close();
  });
  watchdog.join();
}

// The same with compare_exchange as the guard.
void shutdown_cas(Chan &ch, std::atomic<bool> &closed) {
  bool expected = false;
  if (closed.compare_exchange_strong(expected, true))
    ch.close();
  std::thread late([&ch, &closed] {
    bool was = false;
    if (closed.compare_exchange_strong(was, true))
      ch.close();
  });
  late.join();
}
