// Detached threads that own what they use: values, a shared_ptr to their
// object (the fixed cpp-httplib shape), an object they delete themselves.
// Nothing to report.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

void send_line(int fd, const std::string &line);
void close_socket(int fd);

// The fixed cpp-httplib shape: the handler owns a shared_ptr to the session.
class Session : public std::enable_shared_from_this<Session> {
public:
  explicit Session(int fd) : fd_(fd) {}
  void start() {
    std::thread([this, self = shared_from_this()] { serve(); }).detach();
  }

private:
  void serve() {
    for (const auto &l : lines_)
      send_line(fd_, l);
    close_socket(fd_);
  }
  int fd_;
  std::vector<std::string> lines_{"hello", "bye"};
};

// Values only.
void log_async(std::string msg, int fd) {
  std::thread([msg, fd] { send_line(fd, msg); }).detach();
}

void log_shared(std::shared_ptr<std::vector<std::string>> rows, int fd) {
  std::thread t([rows, fd] {
    for (const auto &r : *rows)
      send_line(fd, r);
  });
  t.detach();
}

// The thread owns the object: it deletes it when done.
class Job {
public:
  static void launch(int fd) { (new Job(fd))->start(); }

private:
  explicit Job(int fd) : fd_(fd) {}
  void start() {
    std::thread([this] {
      send_line(fd_, "done");
      delete this;
    }).detach();
  }
  int fd_;
};


void run_jobs() { Job::launch(3); }
