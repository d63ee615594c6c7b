// A crawler whose class lives in this header and whose threads live in
// crawler.cpp; main.cpp owns it.
#pragma once
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

class Frontier {
public:
  void add(std::string url);
  // Blocks until a URL is available or stop is requested; false on stop.
  bool next(std::stop_token st, std::string &url);

private:
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::deque<std::string> urls_;
};

class Crawler {
public:
  explicit Crawler(int workers);
  void seed(std::string url) { frontier_.add(std::move(url)); }
  void pause();
  void resume();

private:
  void work(std::stop_token st);
  Frontier frontier_;
  std::mutex pause_mu_;
  std::condition_variable resumed_; // declared in the header: no fix-it
  bool paused_ = false;
  std::vector<std::jthread> workers_;
};
