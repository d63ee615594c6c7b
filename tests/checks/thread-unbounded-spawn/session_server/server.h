#pragma once
#include <atomic>
#include <memory>
#include <mutex>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

namespace net {

struct Connection {
  int fd = -1;
  std::string peer;
  explicit operator bool() const { return fd >= 0; }
};

class Listener {
public:
  explicit Listener(int port);
  Connection accept(); // blocks; an invalid connection when closed
  void close();

private:
  int fd_ = -1;
};

class Session {
public:
  explicit Session(Connection c) : conn_(std::move(c)) {}
  void run();

private:
  Connection conn_;
};

// One thread per connection, kept until shutdown.
class ThreadPerConnectionServer {
public:
  explicit ThreadPerConnectionServer(int port) : listener_(port) {}
  void serve();
  void shutdown();

private:
  Listener listener_;
  std::mutex mu_;
  std::vector<std::thread> sessions_;
};

// The same server with a bound on live sessions.
class BoundedServer {
public:
  explicit BoundedServer(int port) : listener_(port) {}
  void serve();

private:
  void admit();
  Listener listener_;
  std::counting_semaphore<256> slots_{256};
};

} // namespace net
