#include "cancel.h"

#include <thread>

void start_scan(const std::string &root, acme::CancelToken tok) {
  std::thread([root, tok] {
    while (!tok.cancelled() && !root.empty())
      std::this_thread::yield();
  }).detach();
}

bool scan_allowed(const std::string &root) { return root != "/"; }

// Cancels on every path: fine.
void scan_once(const std::string &root) {
  acme::Canceller c;
  start_scan(root, c.token());
  if (!scan_allowed(root)) {
    c.cancel();
    return;
  }
  c.cancel();
}
