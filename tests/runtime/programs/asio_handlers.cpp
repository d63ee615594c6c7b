// asio handlers as tasks (tether/asio_tracking.hpp, built with
// ASIO_CUSTOM_HANDLER_TRACKING, or BOOST_ASIO_CUSTOM_HANDLER_TRACKING when
// TETHER_TEST_BOOST_ASIO is defined): a posted handler starts a read on a
// pipe nobody writes to, a timer waits for an hour, and the io_context's
// thread sits in epoll_wait. The program dumps itself (debug=2, or the
// format named by argv[1]) to stdout, then stops the io_context; the pending
// handlers are destroyed with it (their tasks end: no leak at exit).
#ifdef TETHER_TEST_BOOST_ASIO
#include <boost/asio.hpp>
namespace asio = boost::asio;
using error_code = boost::system::error_code;
#else
#include <asio.hpp>
using error_code = asio::error_code;
#endif
#include "await_report.h"
#include "tether/tether.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <pthread.h>
#include <string>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

namespace {

// Waits until thread `tid` sits in epoll_wait (or epoll_pwait).
void awaitInEpoll(pid_t tid) {
  std::string path = "/proc/self/task/" + std::to_string(tid) + "/syscall";
  for (int i = 0; i < 60000; ++i) {
    FILE *f = fopen(path.c_str(), "r");
    long nr = -1;
    if (f) {
      if (fscanf(f, "%ld", &nr) != 1)
        nr = -1;
      fclose(f);
    }
    if (nr == SYS_epoll_wait || nr == SYS_epoll_pwait)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

} // namespace

int main(int argc, char **argv) {
  std::string format = argc > 1 ? argv[1] : "debug2";
  asio::io_context io;
  int fds[2];
  if (pipe(fds) != 0)
    return 1;
  asio::posix::stream_descriptor in(io, fds[0]);
  char buf[16];
  std::atomic<bool> started{false};
  // A handler that starts another operation: the read's task is created by
  // the posted handler's task.
  asio::post(io, [&] {
    asio::async_read(in, asio::buffer(buf), [](const error_code &, std::size_t) {}); // ASYNC-READ
    started = true;
  });
  asio::steady_timer timer(io, std::chrono::hours(1));
  timer.async_wait([](const error_code &) {}); // TIMER-WAIT
  std::atomic<pid_t> io_tid{0};
  std::thread runner([&] {
    pthread_setname_np(pthread_self(), "asio-io");
    io_tid = threadId();
    io.run();
  });
  while (io_tid.load() == 0 || !started.load())
    std::this_thread::yield();
  awaitInEpoll(io_tid.load());
  fflush(stdout);
  int rc = tether_dump(1, format == "json" ? TETHER_FORMAT_JSON : TETHER_FORMAT_DEBUG2);
  io.stop();
  runner.join();
  close(fds[1]);
  return rc == 0 ? 0 : 1;
}
