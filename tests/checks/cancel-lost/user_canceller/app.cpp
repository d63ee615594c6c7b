#include "cancel.h"

#include <vector>

// The early return leaves the scans running with nobody able to cancel them.
int scan_all(const std::vector<std::string> &roots) {
  acme::Canceller stop; // want cancel-lost "the stop source 'stop' is not requested to stop on all paths"
  int started = 0;
  for (const auto &r : roots) {
    start_scan(r, stop.token()); // want-note "a token is handed out here"
    ++started;
    if (started > 16)
      return started; // want-note "this return statement may be reached without requesting stop"
  }
  stop.cancel();
  return started;
}
