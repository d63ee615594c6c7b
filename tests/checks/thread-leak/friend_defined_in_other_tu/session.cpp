#include "session.h"

#include <unistd.h>

Session::Session(int fd) : fd_(fd) {}

Session::~Session() { closing_ = true; }

void Session::start() { reader_ = std::thread(&Session::serve, this); }

void Session::serve() {
  char buf[512];
  while (!closing_) {
    long n = ::read(fd_, buf, sizeof buf);
    if (n <= 0)
      break;
    bytes_ += n;
  }
}

Heartbeat::Heartbeat(std::chrono::milliseconds period)
    : period_(period), beat_(&Heartbeat::beat, this) {} // want-note "thread started here"

Heartbeat::~Heartbeat() { stop_ = true; } // want thread-leak "std::thread member 'beat_' is never joined or detached; destroying a 'Heartbeat' while the thread runs calls std::terminate"

void Heartbeat::beat() {
  while (!stop_) {
    ++beats_;
    std::this_thread::sleep_for(period_);
  }
}

std::string describe(const Heartbeat &h) {
  return "heartbeat every " + std::to_string(h.period_.count()) + " ms, " +
         std::to_string(h.beats_.load()) + " beats";
}
