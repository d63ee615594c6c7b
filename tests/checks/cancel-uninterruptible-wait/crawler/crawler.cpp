#include "crawler.h"

std::string download(const std::string &url);
void index_page(const std::string &page);

void Frontier::add(std::string url) {
  {
    std::lock_guard<std::mutex> g(mu_);
    urls_.push_back(std::move(url));
  }
  cv_.notify_one();
}

// Interruptible: the token is passed to condition_variable_any::wait.
bool Frontier::next(std::stop_token st, std::string &url) {
  std::unique_lock<std::mutex> lk(mu_);
  if (!cv_.wait(lk, st, [this] { return !urls_.empty(); }))
    return false;
  url = std::move(urls_.front());
  urls_.pop_front();
  return true;
}

Crawler::Crawler(int workers) {
  for (int i = 0; i < workers; ++i)
    workers_.emplace_back([this](std::stop_token st) { work(st); });
}

void Crawler::work(std::stop_token st) { // want-note "stop token 'st' in scope here"
  std::string url;
  while (frontier_.next(st, url)) {
    {
      // While paused, a stop request is not seen: ~Crawler hangs in join.
      std::unique_lock<std::mutex> lk(pause_mu_);
      resumed_.wait(lk, [this] { return !paused_; }); // want cancel-uninterruptible-wait "wait on 'resumed_' \(std::condition_variable\) cannot be interrupted"
    }
    index_page(download(url));
  }
}

void Crawler::pause() {
  std::lock_guard<std::mutex> g(pause_mu_);
  paused_ = true;
}

void Crawler::resume() {
  {
    std::lock_guard<std::mutex> g(pause_mu_);
    paused_ = false;
  }
  resumed_.notify_all();
}
