// The caller waits a bounded time for a worker defined in compute.cpp.
#include "handoff.h"

#include <thread>

using namespace std::chrono_literals;

int ask_blocking() {
  auto out = std::make_shared<Result>(0); // zero capacity: a rendezvous
  std::thread(compute_blocking, out).detach();
  int v = -1;
  if (!out->take_for(v, 50ms))
    return -1; // the worker's put() waits forever
  return v;
}

int ask_offering() {
  auto out = std::make_shared<Result>(0);
  std::thread(compute_offering, out).detach();
  int v = -1;
  if (!out->take_for(v, 50ms))
    return -1;
  return v;
}

int ask_and_shut_down() {
  auto out = std::make_shared<Result>(0);
  std::thread(compute_blocking, out).detach();
  int v = -1;
  if (!out->take_for(v, 50ms)) {
    out->shutdown(); // releases the worker
    return -1;
  }
  return v;
}

int main() { return ask_blocking() + ask_offering() + ask_and_shut_down(); }
