// channel-double-close with an msd::channel: a closer thread and the owner
// both close; the fixed variant joins the closer and closes once.
#include <msd/channel.hpp>
#include <thread>

class Collector {
public:
  void stop_racy() {
    std::thread closer([this] {
      for (int i = 0; i < 3; ++i)
        results_ << i;  // want channel-send-after-close "not joined before the close"
      results_.close();  // want-note "first close here"
    });
    results_.close();  // want channel-double-close "closed twice"
    closer.join();
  }
  void stop_ordered() {
    std::thread closer([this] {
      for (int i = 0; i < 3; ++i) results_ << i;
      results_.close();
    });
    closer.join();
  }
  msd::channel<int> results_{8};
};

// The fixed shape: the producer closes and is joined; nobody else closes.
void drain_then_finish(msd::channel<int> &ch) {
  std::thread producer([&ch] {
    for (int i = 0; i < 3; ++i) ch.write(i);
    ch.close();
  });
  int v;
  while (ch.read(v)) {
  }
  producer.join();
}

// Closing a different channel is not a second close of this one.
void two_channels(msd::channel<int> &a, msd::channel<int> &b) {
  a.close();
  b.close();
}
