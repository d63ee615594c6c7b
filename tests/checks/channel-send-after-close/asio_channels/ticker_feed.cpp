// asio's channels outside `experimental` (asio 1.39, Boost 1.89): the same
// model as the experimental ones. Compiled against faithful declarations of
// the newer API (asio_channel.h, next to this file): Debian's asio 1.22 has
// them only in `experimental`.
#include "asio_channel.h"

#include <asio/io_context.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <vector>

struct Tick {
  std::string symbol;
  double price = 0;
};

Tick next_tick(const std::string &symbol);
using TickChannel = asio::concurrent_channel<void(asio::error_code, Tick)>;

class MarketDataSession {
public:
  explicit MarketDataSession(asio::io_context &io) : io_(io) {}

  // --- must flag -----------------------------------------------------------

  // The channel is closed while the producer may still be sending: a
  // try_send() after the close is lost, and nobody looks at its result.
  std::vector<Tick> sample(const std::string &symbol, int n) {
    TickChannel ticks(io_, 64);
    std::atomic<bool> running{true};
    std::thread producer([&] { // want-note "the send runs in the thread started here"
      while (running.load())
        ticks.try_send(asio::error_code{}, next_tick(symbol)); // want channel-send-after-close "the sending thread is not joined before the close"
    });
    std::vector<Tick> out = take(ticks, n);
    running = false;
    ticks.close(); // want-note "closed here"
    producer.join();
    return out;
  }

  // --- must not flag -------------------------------------------------------

  // The producer is joined before the close.
  std::vector<Tick> sample_joined(const std::string &symbol, int n) {
    TickChannel ticks(io_, 64);
    std::atomic<bool> running{true};
    std::thread producer([&] {
      while (running.load())
        ticks.try_send(asio::error_code{}, next_tick(symbol));
    });
    std::vector<Tick> out = take(ticks, n);
    running = false;
    producer.join();
    ticks.close();
    return out;
  }

  // The producer stops on the first send the channel refuses once it is
  // closed: it observes the close.
  std::vector<Tick> sample_until_closed(const std::string &symbol, int n) {
    TickChannel ticks(io_, 64);
    std::thread producer([&] {
      for (;;)
        if (!ticks.try_send(asio::error_code{}, next_tick(symbol)) &&
            !ticks.is_open())
          return;
    });
    std::vector<Tick> out = take(ticks, n);
    ticks.close();
    producer.join();
    return out;
  }

private:
  static std::vector<Tick> take(TickChannel &ticks, int n) {
    std::vector<Tick> out;
    while (static_cast<int>(out.size()) < n)
      ticks.try_receive(
          [&out](asio::error_code, Tick t) { out.push_back(std::move(t)); });
    return out;
  }

  asio::io_context &io_;
};
