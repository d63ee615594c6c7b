// Test programs that SIGQUIT themselves wait here for the dump to be written
// (to TETHER_OPTIONS' output=PATH; the shim writes a report with one write)
// before they exit. Bounded at 60 s; asserts nothing about speed.
#pragma once
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <fstream>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

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

// The calling thread's id, for awaitInSyscall.
inline pid_t threadId() { return static_cast<pid_t>(syscall(SYS_gettid)); }

// Waits until thread Tid of this process is blocked in system call Nr (as
// /proc says), so that a dump taken next sees it there however loaded the
// machine is. Bounded at 60 s; asserts nothing about speed.
inline void awaitInSyscall(pid_t Tid, long Nr) {
  std::string path = "/proc/self/task/" + std::to_string(Tid) + "/syscall";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(path);
    long n = -2;
    if (in >> n && n == Nr)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}
