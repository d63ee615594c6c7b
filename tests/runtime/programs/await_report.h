// Test programs that SIGQUIT themselves wait here for the dump to be written
// (to TETHER_OPTIONS' output=PATH; the shim writes a report with one write)
// before they exit. Bounded at 60 s; asserts nothing about speed.
#pragma once
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <thread>

inline void awaitReport() {
  const char *opts = getenv("TETHER_OPTIONS");
  std::string path;
  if (opts) {
    std::string o = std::string(":") + opts;
    size_t p = o.find(":output=");
    if (p != std::string::npos) {
      size_t b = p + 8, e = o.find(':', b);
      path = o.substr(b, e == std::string::npos ? std::string::npos : e - b);
    }
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  struct stat st;
  while (!path.empty() && std::chrono::steady_clock::now() < deadline &&
         (stat(path.c_str(), &st) != 0 || st.st_size == 0))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (path.empty())
    std::this_thread::sleep_for(std::chrono::seconds(1));
}
