#include "jobs.h"

#include <chrono>

void Jobs::flushAll() {
  std::lock_guard<std::mutex> g(mu_);
  ++flushed_;
  std::this_thread::sleep_for(std::chrono::milliseconds(1)); // FINDING
}
