#include "handoff.h"

int heavy() { return 42; }

void compute_blocking(std::shared_ptr<Result> out) {
  out->put(heavy()); // want channel-blocked-send-leak "can block forever"
}

void compute_offering(std::shared_ptr<Result> out) {
  out->offer(heavy()); // gives up when nobody takes it
}
