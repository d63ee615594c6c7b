#include "server.h"

#include <stdexcept>

// Loops until the process is killed: no break, return or goto leaves it.
void serve(Listener &l, Stats &stats) {
  for (;;) {
    Connection c = l.accept();
    stats.count(c);
    try {
      handle(c);
    } catch (const std::exception &e) {
      // A bad request costs its connection, not the server.
      log_line(e.what());
    }
  }
}

// Leaves the loop when the listener goes bad: callers get control back.
void serve_until_unhealthy(Listener &l, Stats &stats) {
  while (true) {
    if (!l.healthy())
      break;
    Connection c = l.accept();
    stats.count(c);
    handle(c);
  }
  log_line("listener unhealthy, serving stopped");
}

// The whole loop in a try block: an exception from accept() or handle()
// ends the loop and the handler returns.
void serve_guarded(Listener &l, Stats &stats) {
  try {
    for (;;) {
      Connection c = l.accept();
      stats.count(c);
      handle(c);
    }
  } catch (const std::exception &e) {
    log_line(std::string("serving failed: ") + e.what());
  }
}
