#include "server.h"

#include <thread>

int accept_connection(int port);
std::string read_request(int fd);
void reply(int fd, const std::string &body);

Server::Server(int port) : port_(port) {}
Server::~Server() { stop(); }

void Server::route(const std::string &path, std::function<std::string()> h) {
  std::lock_guard<std::mutex> lk(mu_);
  routes_[path] = std::move(h);
}

void Server::stop() { running_ = false; }

void Server::serve_forever() {
  running_ = true;
  while (running_) {
    int fd = accept_connection(port_);
    if (fd < 0)
      continue;
    std::thread handler(&Server::handle, this, fd);
    handler.detach(); // want thread-leak "detached thread uses 'this' of 'Server' and may outlive the object"
  }
}

void Server::handle(int fd) {
  std::string path = read_request(fd);
  std::function<std::string()> h;
  {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = routes_.find(path);
    if (it == routes_.end())
      return;
    h = it->second;
  }
  reply(fd, h());
}

void SafeServer::serve_forever() {
  for (;;) {
    int fd = accept_connection(8080);
    if (fd < 0)
      break;
    std::thread([state = state_, fd] {
      std::string path = read_request(fd);
      std::lock_guard<std::mutex> lk(state->mu);
      reply(fd, state->pages[path]);
    }).detach();
  }
}
