// folly::CancellationSource and asio::cancellation_signal: the same lost
// request as with std::stop_source.
#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <folly/CancellationToken.h>

#include <chrono>

#include <functional>
#include <memory>
#include <string>
#include <vector>

void start_upload(const std::string &path, folly::CancellationToken ct);
bool quota_left();
void arm_timer(int ms, asio::cancellation_slot slot, std::function<void()> done);

class Uploader {
public:
  void upload_dir(const std::vector<std::string> &files) {
    folly::CancellationSource source; // want cancel-lost "the stop source 'source' is not requested to stop on all paths"
    for (const auto &f : files) {
      if (!quota_left())
        return; // want-note "this return statement may be reached without requesting stop"
      start_upload(f, source.getToken()); // want-note "a token is handed out here"
    }
    source.requestCancellation();
  }
};

struct Session {
  void ping(int timeout_ms, bool fast_path) {
    asio::cancellation_signal sig; // want cancel-lost "the stop source 'sig' is not requested to stop on all paths"
    arm_timer(timeout_ms, sig.slot(), [this] { ++pings_; }); // want-note "a token is handed out here"
    if (fast_path)
      return; // want-note "this return statement may be reached without requesting stop"
    sig.emit(asio::cancellation_type::all);
  }
  int pings_ = 0;
};

// The signal is emitted only to cut the wait short; every path runs the
// io_context to completion, so the bound operation has finished before the
// signal goes away.
int timed_wait(asio::io_context &io, bool cancel_early) {
  asio::cancellation_signal sig;
  asio::steady_timer timer(io, std::chrono::milliseconds(10));
  int fired = 0;
  timer.async_wait(asio::bind_cancellation_slot(
      sig.slot(), [&fired](std::error_code ec) { fired = ec ? -1 : 1; }));
  if (cancel_early)
    sig.emit(asio::cancellation_type::terminal);
  io.run();
  return fired;
}
