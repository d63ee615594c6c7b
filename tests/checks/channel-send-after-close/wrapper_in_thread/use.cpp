// The send sits in a wrapper's header: the finding is at the user's
// s.send(i) in the thread's body, like the same-path form.
#include "sender.h"
#include <thread>

void racy(wrap::Sender<int> &s) {
  std::thread t([&s] {
    for (int i = 0; i < 4; ++i)
      s.send(i);  // want channel-send-after-close "not joined before the close"
  });
  s.close();  // want-note "in the call to .close. here"
  t.join();
}
