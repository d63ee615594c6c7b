// channel-receiver-close with msd::channel and std::jthread.
#include <msd/channel.hpp>
#include <memory>
#include <string>
#include <thread>

void handle(const std::string &);

// --- must flag -------------------------------------------------------------

// A request reader that closes its input on "quit" while the network thread
// keeps writing: its `<<` then throws in the writer, which nobody catches.
void serve(std::shared_ptr<msd::channel<std::string>> requests) {
  std::jthread network([requests] {
    for (int i = 0; i < 1000; ++i)
      *requests << std::string("req"); // want-note "the producer sends"
  });
  for (const std::string &r : *requests) {
    if (r == "quit") {
      requests->close(); // want channel-receiver-close "only receives"
      break;
    }
    handle(r);
  }
}

// --- must not flag ---------------------------------------------------------

// The writer closes when its input ends; the reader just ranges.
void serve_ok(std::shared_ptr<msd::channel<std::string>> requests) {
  std::jthread network([requests] {
    for (int i = 0; i < 1000; ++i)
      *requests << std::string("req");
    requests->close();
  });
  for (const std::string &r : *requests)
    handle(r);
}
