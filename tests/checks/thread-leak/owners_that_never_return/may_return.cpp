// The serving calls here may return: a loop that breaks on a condition, a
// loop whose exceptions end in a handler that returns, a model operation
// that returns on quit(), and a call in a try block of the function itself.
#include "server.h"

#include <stdexcept>
#include <thread>

void housekeeping(Stats &stats);

void run_until_unhealthy(const Config &cfg) {
  Listener l(cfg.listen_on);
  Stats stats;
  std::thread sweeper(housekeeping, std::ref(stats)); // want thread-leak "std::thread 'sweeper' is never joined or detached"
  std::thread([&stats] { stats.flush_periodically(); }).detach(); // want thread-leak "detached thread refers to local variable 'stats'"
  serve_until_unhealthy(l, stats);
}                                                     // want-note "'sweeper' goes out of scope here"

void run_guarded(const Config &cfg) {
  Listener l(cfg.listen_on);
  Stats stats;
  std::thread sweeper(housekeeping, std::ref(stats)); // want thread-leak "std::thread 'sweeper' is never joined or detached"
  serve_guarded(l, stats);
}

// loop() returns once quit() is called: the model does not say
// never_returns.
void run_reactor_loop(const Config &cfg) {
  netkit::Reactor reactor;
  std::thread ticker([&reactor] { reactor.add_timer(100, nullptr); }); // want thread-leak "std::thread 'ticker' is never joined or detached"
  reactor.loop();
}

// serve() never returns normally, but an exception it throws reaches the
// handler, and the function returns from there.
void run_catching(const Config &cfg) {
  Listener l(cfg.listen_on);
  Stats stats;
  std::thread sweeper(housekeeping, std::ref(stats)); // want thread-leak "std::thread 'sweeper' is not joined or detached on every path"
  try {
    serve(l, stats);                                  // want-note "an exception thrown here skips the join of 'sweeper'"
    sweeper.join();
  } catch (const std::exception &e) {
    log_line(e.what());
  }
}
