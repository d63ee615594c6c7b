#include "server.h"

#include <cstdlib>

// Never returns either: every path ends in serve() (defined in
// server.cpp), and the link phase carries that here and to main.cpp.
void run_app(const Config &cfg) {
  if (cfg.workers <= 0) {
    log_line("no workers configured");
    std::exit(2);
  }
  Listener l(cfg.listen_on);
  Stats stats;
  serve(l, stats);
}
