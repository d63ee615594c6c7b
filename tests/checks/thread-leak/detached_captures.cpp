// Detached threads that keep references to locals or to `this` of an object
// they may outlive: the cpp-httplib #52 / apex #182 shape (a handler thread
// detached by a server that is destroyed while the handler still runs).
#include <atomic>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

int accept_connection();
void close_socket(int fd);
std::string read_request(int fd);

class HttpServer {
public:
  explicit HttpServer(int port) : port_(port) {}

  void listen() {
    running_ = true;
    while (running_) {
      int fd = accept_connection();
      if (fd < 0)
        break;
      // The handler thread reads routes_ and stats_ through `this`; the
      // server may be destroyed right after listen() returns.
      std::thread([=] {                // want-note "'this' captured here"
        handle(fd);
      }).detach();                     // want thread-leak "detached thread uses 'this' of 'HttpServer' and may outlive the object"
    }
  }

  void stop() { running_ = false; }

  void route(const std::string &path, std::function<std::string()> h) {
    std::lock_guard<std::mutex> lk(mu_);
    routes_[path] = std::move(h);
  }

private:
  void handle(int fd) {
    std::string req = read_request(fd);
    std::function<std::string()> h;
    {
      std::lock_guard<std::mutex> lk(mu_);
      auto it = routes_.find(req);
      if (it != routes_.end())
        h = it->second;
    }
    if (h)
      h();
    ++served_;
    close_socket(fd);
  }

  int port_;
  std::atomic<bool> running_{false};
  std::atomic<int> served_{0};
  std::mutex mu_;
  std::map<std::string, std::function<std::string()>> routes_;
};

// A member function started with `this` as its object (apex #182: the
// executor's worker outlived the node that owned it).
class Node {
public:
  void spin_async() {
    std::thread worker(&Node::spin, this); // want-note "thread started here"
    worker.detach();                       // want thread-leak "detached thread uses 'this' of 'Node'"
  }

private:
  void spin() {
    while (!shutdown_) {
      std::vector<int> batch;
      {
        std::lock_guard<std::mutex> lk(mu_);
        batch.swap(pending_);
      }
      for (int v : batch)
        total_ += v;
    }
  }

  std::mutex mu_;
  std::vector<int> pending_;
  std::atomic<bool> shutdown_{false};
  long total_ = 0;
};

struct Report {
  std::vector<std::string> lines;
  void add(const std::string &l) { lines.push_back(l); }
};

void write_report_async(const std::vector<std::string> &rows) {
  Report report; // want-note "'report' is destroyed at the end of its scope"
  for (const auto &r : rows)
    report.add(r);
  std::thread t([&report] {       // want-note "'report' is referred to by the thread here"
    for (const auto &l : report.lines)
      std::puts(l.c_str());
  });
  t.detach();                     // want thread-leak "detached thread refers to local variable 'report'"
}

void count_async(std::vector<int> values) {
  std::atomic<long> sum{0};
  std::thread(
      [](const std::vector<int> *v, std::atomic<long> &out) {
        for (int x : *v)
          out += x;
      },
      &values, std::ref(sum))
      .detach();                  // want thread-leak "detached thread refers to local variable 'values'"
}

// A shared_ptr to something else does not keep the cache alive.
struct Settings {
  std::string source;
};
std::map<std::string, std::string> fetch(const std::string &source);

class Cache {
public:
  void refresh_async(std::shared_ptr<Settings> settings) {
    std::thread([this, settings] {  // want-note "'this' captured here"
      auto fresh = fetch(settings->source);
      std::lock_guard<std::mutex> lk(mu_);
      entries_.swap(fresh);
    }).detach();                    // want thread-leak "detached thread uses 'this' of 'Cache'"
  }

private:
  std::mutex mu_;
  std::map<std::string, std::string> entries_;
};

// Started in the constructor's initializer, detached in its body.
class Poller {
public:
  explicit Poller(int fd) : fd_(fd), thread_([this] { poll(); }) { // want-note "thread started here"
    thread_.detach(); // want thread-leak "detached thread uses 'this' of 'Poller'"
  }

private:
  void poll() {
    while (fd_ >= 0)
      fd_ = accept_connection();
  }
  int fd_;
  std::thread thread_;
};
