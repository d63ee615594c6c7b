// channel-receiver-close when the consumer closes from inside a function it
// calls: the finding is on the close (the line to fix), with the call that
// leads to it as a note, not on the call of the consuming function.
#include <boost/fiber/buffered_channel.hpp>
#include <thread>

using Chan = boost::fibers::buffered_channel<int>;
using boost::fibers::channel_op_status;

void use(int);

// Reads until a negative value, then closes "to stop the producer".
int read_until_negative(Chan &ch) {
  int sum = 0, v = 0;
  while (ch.pop(v) == channel_op_status::success) {
    if (v < 0) {
      ch.close(); // want channel-receiver-close "only receives from it"
      break;
    }
    sum += v;
  }
  return sum;
}

// Reads until a zero, then closes; called through consume().
int read_until_zero(Chan &ch) {
  int sum = 0, v = 0;
  while (ch.pop(v) == channel_op_status::success) {
    if (v == 0) {
      ch.close(); // want channel-receiver-close "only receives from it"
      break;
    }
    sum += v;
  }
  return sum;
}

// One more level: the close is two calls away from the producer's owner.
int consume(Chan &ch) {
  int sum = read_until_zero(ch);
  use(sum);
  return sum;
}

// Reads n values and stops.
int read_n(Chan &ch, int n) {
  int sum = 0;
  for (int i = 0; i < n; ++i) {
    int v = 0;
    if (ch.pop(v) != channel_op_status::success)
      break;
    sum += v;
  }
  return sum;
}

void stop_feed(Chan &ch) { ch.close(); }

// --- must flag -------------------------------------------------------------

int stop_early() {
  Chan ch{16};
  std::thread producer([&ch] {
    for (int i = 5; i > -5; --i)
      ch.push(i); // want-note "the producer sends"
  });
  int sum = read_until_negative(ch); // want-note "in the call to 'read_until_negative' here"
  producer.join();
  return sum;
}

int stop_early_nested() {
  Chan ch{16};
  std::thread producer([&ch] {
    for (int i = 3; i > -3; --i)
      ch.push(i);
  });
  int sum = consume(ch); // want-note "in the call to 'consume' here"
  producer.join();
  return sum;
}

// --- must not flag ---------------------------------------------------------

// The consumer's helper closes only after the producer was joined.
int read_then_stop() {
  Chan ch{16};
  std::thread producer([&ch] {
    for (int i = 0; i < 8; ++i)
      ch.push(i);
  });
  int sum = read_n(ch, 8);
  producer.join();
  stop_feed(ch);
  return sum;
}

// The producer closes after its last send; the consumer's helper only reads.
int producer_closes() {
  Chan ch{16};
  std::thread producer([&ch] {
    for (int i = 0; i < 8; ++i)
      ch.push(i);
    ch.close();
  });
  int sum = read_n(ch, 8);
  producer.join();
  return sum;
}
