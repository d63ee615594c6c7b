// channel-unclosed: a receiver ranges over (or loops until a receive fails
// on) a channel that nothing closes. The Go seeds: a pipeline stage without
// `defer close(out)`, a generator that never closes, a worker pool whose
// dispatcher forgets to close jobs.
#include <boost/fiber/buffered_channel.hpp>
#include <boost/fiber/unbuffered_channel.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using Chan = boost::fibers::buffered_channel<int>;
using Lines = boost::fibers::buffered_channel<std::string>;
using boost::fibers::channel_op_status;

void use(int);
void print(const std::string &);

// --- must flag -------------------------------------------------------------

// The spec's shape: the producer thread never closes `out`.
void spec_shape(const std::vector<int> &xs) {
  auto out = std::make_shared<Chan>(8);
  std::thread([out, xs] {
    for (int x : xs)
      out->push(x); // want channel-unclosed "never closed after this send"
  }).detach();
  for (int v : *out) // want-note "receiver waits for the close"
    use(v);
}

// A generator returns the channel its producer fills, and forgets the close.
std::shared_ptr<Lines> read_all(std::vector<std::string> lines) {
  auto ch = std::make_shared<Lines>(16);
  std::thread([ch, lines = std::move(lines)] {
    for (const auto &l : lines)
      ch->push(l); // want channel-unclosed "returned by 'read_all' is never closed"
  }).detach();
  return ch;
}

void print_all(std::vector<std::string> lines) {
  auto src = read_all(std::move(lines)); // want-note "started by the call to 'read_all'"
  for (const std::string &l : *src)
    print(l);
}

// The consumer loops until pop() fails; the producer (a helper function run
// on a thread) never closes.
void produce_squares(std::shared_ptr<Chan> out, int n) {
  for (int i = 0; i < n; ++i)
    out->push(i * i); // want channel-unclosed "never closed after this send"
}

int sum_squares(int n) {
  auto ch = std::make_shared<Chan>(4);
  std::thread producer(produce_squares, ch, n);
  int sum = 0, v = 0;
  while (ch->pop(v) == channel_op_status::success)
    sum += v;
  producer.join();
  return sum;
}

// An unbuffered hand-off read in a for(;;) with a break on failure.
void handoff(int n) {
  auto ch = std::make_shared<boost::fibers::unbuffered_channel<int>>();
  std::thread t([ch, n] {
    for (int i = 0; i < n; ++i)
      ch->push(i); // want channel-unclosed "never closed"
  });
  for (;;) {
    int v;
    if (ch->pop(v) != channel_op_status::success)
      break;
    use(v);
  }
  t.join();
}

// Nobody even sends: the receiver waits for a close that never comes.
void nobody_sends() {
  auto ch = std::make_shared<Chan>(2);
  std::thread reader([ch] {
    for (int v : *ch) // want channel-unclosed "waits for channel 'ch' to be closed, but nothing closes it"
      use(v);
  });
  reader.join();
}

// --- must not flag ---------------------------------------------------------

// The producer closes after its last send.
void producer_closes(const std::vector<int> &xs) {
  auto out = std::make_shared<Chan>(8);
  std::thread([out, xs] {
    for (int x : xs)
      out->push(x);
    out->close();
  }).detach();
  for (int v : *out)
    use(v);
}

// A generator that closes.
std::shared_ptr<Lines> read_all_ok(std::vector<std::string> lines) {
  auto ch = std::make_shared<Lines>(16);
  std::thread([ch, lines = std::move(lines)] {
    for (const auto &l : lines)
      ch->push(l);
    ch->close();
  }).detach();
  return ch;
}

void print_all_ok(std::vector<std::string> lines) {
  for (const std::string &l : *read_all_ok(std::move(lines)))
    print(l);
}

// The consumer reads a known count: it never waits for the close.
int read_known_count(int n) {
  auto ch = std::make_shared<Chan>(4);
  std::thread t([ch, n] {
    for (int i = 0; i < n; ++i)
      ch->push(i);
  });
  int sum = 0;
  for (int i = 0; i < n; ++i) {
    int v;
    ch->pop(v);
    sum += v;
  }
  t.join();
  return sum;
}

// The channel is handed to code the analysis cannot see: it may close it.
void register_source(std::shared_ptr<Chan> ch);
void handed_elsewhere() {
  auto ch = std::make_shared<Chan>(4);
  register_source(ch);
  for (int v : *ch)
    use(v);
}

// The channel came from elsewhere: its owner closes it.
void drain(Chan &in) {
  for (int v : in)
    use(v);
}

// The loop has another way out (cpp-channel's move example breaks when the
// channel looks empty): it does not only wait for the close.
int first_three() {
  auto ch = std::make_shared<Chan>(8);
  std::thread([ch] {
    for (int i = 0; i < 3; ++i)
      ch->push(i);
  }).detach();
  int n = 0, sum = 0;
  for (int v : *ch) {
    sum += v;
    if (++n == 3)
      break;
  }
  return sum;
}

// Fan-in: the merger closes after joining every forwarder.
void merge(std::vector<std::shared_ptr<Chan>> inputs) {
  auto out = std::make_shared<Chan>(8);
  std::thread closer([out, inputs] {
    std::vector<std::thread> fwd;
    for (auto &in : inputs)
      fwd.emplace_back([in, out] {  // want thread-unbounded-spawn "parameter 'inputs' of 'merge', whose size comes from its callers"
        for (int v : *in)
          out->push(v);
      });
    for (auto &t : fwd)
      t.join();
    out->close();
  });
  for (int v : *out)
    use(v);
  closer.join();
}
