#include "registry.h"

#include <chrono>

Worker::Worker(std::string name)
    : name_(std::move(name)),
      thread_([] { std::this_thread::sleep_for(std::chrono::milliseconds(1)); }) {}
Worker::~Worker() {
  if (thread_.joinable())
    thread_.join();
}

void Registry::add(const std::string &name) {
  std::lock_guard<std::mutex> g(mu_);
  workers_.emplace(name, std::make_unique<Worker>(name));
}

// Joins a worker while every other caller of the registry waits for mu_.
void Registry::remove(const std::string &name) {
  std::lock_guard<std::mutex> g(mu_); // want-note "mutex locked here"
  auto it = workers_.find(name);
  if (it == workers_.end())
    return;
  it->second->join(); // want lock-held-across-blocking "held across a call to 'join', which blocks \(thread join\)"
  workers_.erase(it);
}

// Correct: take the workers out under the lock, join them outside.
void Registry::remove_all() {
  std::map<std::string, std::unique_ptr<Worker>> doomed;
  {
    std::lock_guard<std::mutex> g(mu_);
    doomed.swap(workers_);
  }
  for (auto &[name, w] : doomed)
    w->join();
}

size_t Registry::size() {
  std::lock_guard<std::mutex> g(mu_);
  return workers_.size();
}
