// A small network daemon: the functions that start its threads end in the
// serving loop, most of which never give control back.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace netkit {
class Reactor {
public:
  void add_timer(int ms, void (*fn)());
  void run_forever();
  void loop();
  void quit();
};
} // namespace netkit

struct Config {
  std::string listen_on = "0.0.0.0:8080";
  int workers = 4;
  bool verbose = false;
};

struct Connection {
  int fd = -1;
};

class Listener {
public:
  explicit Listener(const std::string &addr);
  Connection accept();
  bool healthy() const;
};

class Stats {
public:
  void count(const Connection &c);
  void flush();
  void flush_periodically();
};

void handle(const Connection &c);
void log_line(const std::string &msg);
void watch_config(const Config &cfg);
void rotate_logs(const std::string &dir);

// server.cpp: accepts and handles connections until the process is killed.
void serve(Listener &l, Stats &stats);
// server.cpp: the same loop, which stops on the first unhealthy listener.
void serve_until_unhealthy(Listener &l, Stats &stats);
// server.cpp: the same loop inside a try block whose handler returns.
void serve_guarded(Listener &l, Stats &stats);
// Never returns: the process ends in it (defined in another file).
[[noreturn]] void run_forever(Listener &l);

// app.cpp: builds the listener and serves on it.
void run_app(const Config &cfg);
