// A TCP server whose connection handlers run on detached threads.
#pragma once
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

class Server {
public:
  explicit Server(int port);
  ~Server();
  void route(const std::string &path, std::function<std::string()> h);
  void serve_forever();
  void stop();

private:
  void handle(int fd);

  int port_;
  std::atomic<bool> running_{false};
  std::mutex mu_;
  std::map<std::string, std::function<std::string()>> routes_;
};

// The fixed variant: handlers own the shared state.
class SafeServer {
public:
  void serve_forever();

private:
  struct State {
    std::mutex mu;
    std::map<std::string, std::string> pages;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};
