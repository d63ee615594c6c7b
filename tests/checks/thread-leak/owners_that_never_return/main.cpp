// main starts its helper threads and hands over to run_app(), which never
// returns (through serve(), two translation units away): the threads are
// never destroyed while joinable and the locals they use live as long as
// the process.
#include "server.h"

#include <chrono>
#include <thread>

Config parse_args(int argc, char **argv);

int main(int argc, char **argv) {
  Config cfg = parse_args(argc, argv);
  std::thread config_watcher([&cfg] { watch_config(cfg); });
  std::thread([&cfg] {
    std::this_thread::sleep_for(std::chrono::hours(1));
    rotate_logs(cfg.listen_on);
  }).detach();
  run_app(cfg);
}
