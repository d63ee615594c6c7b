// A registry of background workers shared by two translation units.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

class Worker {
public:
  explicit Worker(std::string name);
  ~Worker();
  void join() { thread_.join(); }
  const std::string &name() const { return name_; }

private:
  std::string name_;
  std::thread thread_;
};

class Registry {
public:
  void add(const std::string &name);
  void remove(const std::string &name);
  void remove_all();
  size_t size();

private:
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Worker>> workers_;
};
