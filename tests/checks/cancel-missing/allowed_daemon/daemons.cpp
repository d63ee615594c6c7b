// Threads that are meant to live as long as the process: listed in the
// configuration, so cancel-missing stays quiet.
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <msd/channel.hpp>

using namespace std::chrono_literals;

void send_telemetry();
void upload(const std::string &report);

void telemetry_loop() {
  for (;;) {
    std::this_thread::sleep_for(60s);
    send_telemetry();
  }
}

void start_telemetry() { std::thread(telemetry_loop).detach(); }

class Watchdog {
public:
  void start() {
    th_ = std::thread([this] { run(); });
    th_.detach();
  }

private:
  void run() {
    while (true) {
      std::this_thread::sleep_for(5s);
      kick();
    }
  }
  void kick();
  std::thread th_;
};

// Listed under thread-leak's allow_detached: allowed because it is detached.
void start_crash_reporter(std::shared_ptr<msd::channel<std::string>> reports) {
  std::thread([reports] {
    for (;;) {
      std::string r;
      reports->read(r);
      upload(r);
    }
  }).detach();
}

// Every member of Metrics is a daemon: listed by a glob. Its thread is
// joined when the process tears Metrics down, at exit.
class Metrics {
public:
  void start() {
    th_ = std::thread([this] { pump(); });
  }
  ~Metrics() { th_.join(); }

private:
  void pump() {
    for (;;) {
      std::this_thread::sleep_for(10s);
      flush();
    }
  }
  void flush();
  std::thread th_;
};

// Listed under thread-leak's allow_detached by a glob: cancel-missing
// matches that list the way thread-leak does.
void start_log_uploader(std::shared_ptr<msd::channel<std::string>> logs) {
  std::thread([logs] {
    for (;;) {
      std::string line;
      logs->read(line);
      upload(line);
    }
  }).detach();
}
