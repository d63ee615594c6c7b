// channel-blocked-send-leak: a detached sender blocks forever because its
// only receiver gave up (timeout, error) and nothing closes the channel.
// Go's leaky(): `go func() { ch <- expensive() }()` + `select` with a
// timeout on an unbuffered channel.
#include <boost/fiber/buffered_channel.hpp>
#include <boost/fiber/unbuffered_channel.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <stop_token>
#include <thread>

using Unbuffered = boost::fibers::unbuffered_channel<int>;
using Buffered = boost::fibers::buffered_channel<int>;
using boost::fibers::channel_op_status;
using namespace std::chrono_literals;

int expensive();
bool cancelled();

// --- must flag -------------------------------------------------------------

// The spec's shape.
std::optional<int> with_timeout() {
  auto ch = std::make_shared<Unbuffered>(); // want-note "channel created here"
  auto f = [ch] { ch->push(expensive()); }; // want channel-blocked-send-leak "can block forever"
  std::thread(f).detach();                  // want-note "sender is detached here"
  int v;
  if (ch->pop_wait_for(v, 1s) == channel_op_status::timeout) // want-note "receiver may give up here"
    return std::nullopt;
  return v;
}

// The receiver returns early on an error before receiving at all.
std::optional<int> early_return_on_error() {
  auto ch = std::make_shared<Unbuffered>();
  std::thread([ch] { ch->push(expensive()); }).detach(); // want channel-blocked-send-leak "can block forever"
  if (cancelled())
    return std::nullopt;
  int v;
  ch->pop(v);
  return v;
}

// A buffer of capacity 2 holds one value in Boost.Fiber (one slot stays
// free): two sends do not fit.
std::optional<int> buffer_too_small() {
  auto ch = std::make_shared<Buffered>(2);
  std::thread([ch] {
    ch->push(expensive());
    ch->push(expensive()); // want channel-blocked-send-leak "can block forever"
  }).detach();
  int v;
  if (ch->pop_wait_for(v, 100ms) != channel_op_status::success)
    return std::nullopt;
  return v;
}

// The sender is a named function run on a detached thread.
void compute_into(std::shared_ptr<Unbuffered> out) {
  out->push(expensive()); // want channel-blocked-send-leak "can block forever"
}
std::optional<int> via_function() {
  auto ch = std::make_shared<Unbuffered>();
  std::thread t(compute_into, ch);
  t.detach();
  int v;
  if (ch->pop_wait_for(v, 10ms) != channel_op_status::success)
    return std::nullopt;
  return v;
}

// A few retries, then the receiver gives up for good.
std::optional<int> retry_then_give_up() {
  auto ch = std::make_shared<Unbuffered>();
  std::thread([ch] { ch->push(expensive()); }).detach(); // want channel-blocked-send-leak "can block forever"
  for (int attempt = 0; attempt < 3; ++attempt) {
    int v;
    if (ch->pop_wait_for(v, 100ms) == channel_op_status::success)
      return v;
  }
  return std::nullopt;
}

// --- must not flag ---------------------------------------------------------

// Retries until the value arrives: every exit has received it.
int retry_until_received() {
  auto ch = std::make_shared<Unbuffered>();
  std::thread([ch] { ch->push(expensive()); }).detach();
  for (;;) {
    int v;
    if (ch->pop_wait_for(v, 100ms) == channel_op_status::success)
      return v;
  }
}

// Capacity for every send: the sender never blocks.
std::optional<int> buffered_enough() {
  auto ch = std::make_shared<Buffered>(2);
  std::thread([ch] { ch->push(expensive()); }).detach();
  int v;
  if (ch->pop_wait_for(v, 1s) == channel_op_status::timeout)
    return std::nullopt;
  return v;
}

// The sender uses a timed send: it gives up too.
std::optional<int> timed_send() {
  auto ch = std::make_shared<Unbuffered>();
  std::thread([ch] { ch->push_wait_for(expensive(), 2s); }).detach();
  int v;
  if (ch->pop_wait_for(v, 1s) == channel_op_status::timeout)
    return std::nullopt;
  return v;
}

// The receiver closes the channel when it gives up: the blocked push
// returns `closed`.
std::optional<int> close_on_timeout() {
  auto ch = std::make_shared<Unbuffered>();
  std::thread([ch] { ch->push(expensive()); }).detach();
  int v;
  if (ch->pop_wait_for(v, 1s) == channel_op_status::timeout) {
    ch->close();
    return std::nullopt;
  }
  return v;
}

// The receiver always receives (blocking pop).
int always_receives() {
  auto ch = std::make_shared<Unbuffered>();
  std::thread([ch] { ch->push(expensive()); }).detach();
  int v;
  ch->pop(v);
  return v;
}

// The sender is joined, not detached (a join would deadlock instead: not
// this check's report).
int joined_sender() {
  auto ch = std::make_shared<Unbuffered>();
  std::thread t([ch] { ch->push(expensive()); });
  int v;
  ch->pop(v);
  t.join();
  return v;
}

// The sender watches a stop token that the receiver's exit path requests.
std::optional<int> stop_on_timeout() {
  auto ch = std::make_shared<Buffered>(4);
  std::stop_source stop;
  std::thread([ch, tok = stop.get_token()] {
    while (!tok.stop_requested())
      ch->push(expensive());
  }).detach();
  int v;
  if (ch->pop_wait_for(v, 1s) == channel_op_status::timeout) {
    stop.request_stop();
    return std::nullopt;
  }
  stop.request_stop(); // the producer loops: stop it on this path too
  return v;
}

// The channel is passed to another receiver the analysis cannot see.
void also_consume(std::shared_ptr<Unbuffered> ch);
std::optional<int> another_receiver() {
  auto ch = std::make_shared<Unbuffered>();
  std::thread([ch] { ch->push(expensive()); }).detach();
  also_consume(ch);
  int v;
  if (ch->pop_wait_for(v, 1s) == channel_op_status::timeout)
    return std::nullopt;
  return v;
}
