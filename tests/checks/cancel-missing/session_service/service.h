// A session service split over two translation units: the class in this
// header, its worker threads in service.cpp, the owner in main.cpp.
#pragma once
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <queue>
#include <stop_token>
#include <string>
#include <thread>

#include <msd/channel.hpp>

struct Request {
  int session = 0;
  std::string body;
};

class RequestQueue {
public:
  void push(Request r);
  Request pop(); // blocks until a request arrives

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::queue<Request> q_;
};

class SessionService {
public:
  SessionService();
  void submit(Request r) { requests_.push(std::move(r)); }
  void audit(std::string line) { audit_.write(std::move(line)); }

private:
  void serve(std::stop_token st);
  void writeAudit();
  RequestQueue requests_;
  msd::channel<std::string> audit_;
  std::jthread server_;
  std::jthread auditor_;
};

// Started and stopped correctly: the loop checks the flag after every wait.
class Janitor {
public:
  void start();
  void stop();

private:
  void sweep();
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread th_;
};
