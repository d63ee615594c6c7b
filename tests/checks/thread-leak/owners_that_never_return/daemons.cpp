// Functions that start threads and then serve. Where the serving call
// never returns, the handles are never destroyed and the locals the
// detached threads use are never destroyed either; where it may return, the
// usual findings stand.
#include "server.h"

#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>

namespace {

// The project's own serve loop, in this file: loops forever.
void serve_connections(Listener &l, Stats &stats) {
  while (true) {
    Connection c = l.accept();
    stats.count(c);
    handle(c);
  }
}

void heartbeat() {}

} // namespace

// A local handle and a detached thread using a local, then a serve loop
// that never returns (same TU).
void run_daemon(const Config &cfg) {
  Listener listener(cfg.listen_on);
  Stats stats;
  std::thread housekeeping([&stats] { stats.flush_periodically(); });
  std::thread([&stats] { stats.flush_periodically(); }).detach();
  serve_connections(listener, stats);
}

// Through a serve() of another TU, whose summary says it never returns.
void run_worker(const Config &cfg) {
  auto listener = std::make_shared<Listener>(cfg.listen_on);
  Stats stats;
  std::thread flusher([&stats] { stats.flush_periodically(); });
  serve(*listener, stats);
}

// A [[noreturn]] function declared in a header.
void run_watchdog(const Config &cfg) {
  Listener l(cfg.listen_on);
  std::thread beat(heartbeat);
  std::thread([&l] { (void)l.healthy(); }).detach();
  run_forever(l);
}

// A model operation marked never_returns.
void run_reactor(const Config &cfg) {
  netkit::Reactor reactor;
  std::thread ticker([&reactor] { reactor.add_timer(100, heartbeat); });
  reactor.run_forever();
}

// The process ends here on every path.
void run_once_then_exit(const Config &cfg) {
  Stats stats;
  std::thread flusher([&stats] { stats.flush(); });
  if (cfg.verbose)
    log_line("flushing");
  std::exit(0);
}

// A serve loop in a lambda, called in place; exceptions are caught inside
// the loop, which goes on.
void run_inline(const Config &cfg) {
  Listener l(cfg.listen_on);
  Stats stats;
  std::thread flusher([&stats] { stats.flush_periodically(); });
  auto loop = [&] {
    for (;;) {
      try {
        handle(l.accept());
      } catch (...) {
        log_line("dropped a connection");
      }
    }
  };
  loop();
}

class Gateway {
public:
  explicit Gateway(Config cfg) : cfg_(std::move(cfg)), listener_(cfg_.listen_on) {}

  // A member that never returns: pump() loops forever.
  void start() {
    std::thread metrics([this] { stats_.flush_periodically(); });
    std::unique_ptr<Stats> extra(new Stats);
    std::thread([&extra] { extra->flush_periodically(); }).detach();
    pump();
  }

  // The same member through a loop that stops: the handle leaks at the end.
  void start_bounded() {
    std::thread metrics([this] { stats_.flush_periodically(); }); // want thread-leak "std::thread 'metrics' is never joined or detached"
    pump_while_healthy();
  }                                                                // want-note "'metrics' goes out of scope here without being joined"

private:
  void pump() {
    for (;;)
      handle(listener_.accept());
  }
  void pump_while_healthy() {
    while (listener_.healthy())
      handle(listener_.accept());
  }

  Config cfg_;
  Listener listener_;
  Stats stats_;
};
