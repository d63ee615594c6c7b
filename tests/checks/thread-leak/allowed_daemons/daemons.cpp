// Intentional daemons named in thread-leak.allow_detached are not reported;
// other detached endless loops still are.
#include <chrono>
#include <string>
#include <thread>

using namespace std::chrono_literals;

void flush_metrics();
void send_ping(const std::string &host);

// Allowed through the body function's name.
void metrics_loop() {
  for (;;) {
    std::this_thread::sleep_for(1s);
    flush_metrics();
  }
}

void start_metrics() { std::thread(metrics_loop).detach(); }

// Allowed through the detaching function (glob on the qualified name).
class Telemetry {
public:
  void start_pinger(std::string host) {
    std::thread([host] {
      while (true) {
        send_ping(host);
        std::this_thread::sleep_for(5s);
      }
    }).detach();
  }
};

// Also allowed: the lambda only runs metrics_loop().
void start_metrics_lambda() {
  std::thread([] { metrics_loop(); }).detach();
}

// Not on the list.
void start_ping_forever(std::string host) {
  std::thread([host] {
    for (;;)
      send_ping(host);
  }).detach(); // want thread-leak "endless loop"
}
