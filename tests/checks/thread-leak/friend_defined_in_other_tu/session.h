// A session whose reader thread is joined by a friend class defined in
// reaper.cpp: session.cpp, which starts the thread and defines every member
// function, cannot see that join, so it says nothing (unknown). A heartbeat
// whose friend function is defined in session.cpp and never touches the
// thread is reported there.
#pragma once
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

class SessionReaper; // defined in reaper.cpp

class Session {
  friend class SessionReaper;

public:
  explicit Session(int fd);
  ~Session();
  void start();
  int fd() const { return fd_; }

private:
  void serve();
  int fd_;
  std::atomic<bool> closing_{false};
  std::atomic<long> bytes_{0};
  std::thread reader_;
};

class Heartbeat {
  friend std::string describe(const Heartbeat &h); // defined in session.cpp

public:
  explicit Heartbeat(std::chrono::milliseconds period);
  ~Heartbeat();

private:
  void beat();
  std::chrono::milliseconds period_;
  std::atomic<bool> stop_{false};
  std::atomic<long> beats_{0};
  std::thread beat_; // want-note "member declared here"
};
