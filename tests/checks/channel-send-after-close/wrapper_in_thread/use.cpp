// The send-after-close is reported, but (currently) at the insert() inside
// sender.h instead of the user's s.send(i) below; the same-path form is
// reported at the user's call.
#include "sender.h"
#include <thread>

void racy(wrap::Sender<int> &s) {
  std::thread t([&s] {
    for (int i = 0; i < 4; ++i)
      s.send(i);  // want channel-send-after-close "not joined before the close"
  });
  s.close();  // want-note "closed here"
  t.join();
}
