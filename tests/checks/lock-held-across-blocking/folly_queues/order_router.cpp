// folly's MPMCQueue (bounded: blockingWrite waits for room, blockingRead for
// an element), UnboundedQueue (dequeue waits for an element) and
// coro::blockingWait (blocks until the task completes). Debian ships no
// folly: compiled against faithful declarations of its API
// (tests/checks/include/folly/).
#include <folly/MPMCQueue.h>
#include <folly/concurrency/UnboundedQueue.h>
#include <folly/coro/BlockingWait.h>
#include <folly/coro/Task.h>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>

struct Order {
  std::string symbol;
  int quantity = 0; // 0: the sentinel that stops a router
};

folly::coro::Task<int> fetch_limit(std::string symbol);
void route(const Order &o);

// --- must flag -------------------------------------------------------------

class OrderRouter {
public:
  explicit OrderRouter(std::size_t capacity) : inbox_(capacity) {}

  // Waits for room in the bounded queue while holding the book's mutex: the
  // router thread needs that mutex to take an order out.
  void submit(Order o) {
    std::lock_guard<std::mutex> lk(mu_); // want-note "mutex locked here"
    ++open_[o.symbol];
    inbox_.blockingWrite(std::move(o)); // want lock-held-across-blocking "mutex 'this->mu_' is held across a blocking channel send"
  }

  void run() {
    for (;;) {
      std::unique_lock<std::mutex> lk(mu_); // want-note "mutex locked here"
      Order o;
      inbox_.blockingRead(o); // want lock-held-across-blocking "mutex 'this->mu_' is held across a blocking channel receive"
      if (o.quantity == 0)
        return;
      --open_[o.symbol];
      lk.unlock();
      route(o);
    }
  }

  // Runs a coroutine to completion under the mutex.
  int limit_for(const std::string &symbol) {
    std::lock_guard<std::mutex> lk(mu_); // want-note "mutex locked here"
    auto it = limits_.find(symbol);
    if (it != limits_.end())
      return it->second;
    int limit = folly::coro::blockingWait(fetch_limit(symbol)); // want lock-held-across-blocking "mutex 'this->mu_' is held across a blocking future wait"
    limits_[symbol] = limit;
    return limit;
  }

private:
  std::mutex mu_;
  std::map<std::string, int> open_;
  std::map<std::string, int> limits_;
  folly::MPMCQueue<Order> inbox_;
};

class FillListener {
public:
  void on_fill(Order o) { fills_.enqueue(std::move(o)); }

  void drain_one() {
    std::lock_guard<std::mutex> lk(mu_); // want-note "mutex locked here"
    Order o = fills_.dequeue(); // want lock-held-across-blocking "mutex 'this->mu_' is held across a blocking channel receive"
    filled_[o.symbol] += o.quantity;
  }

private:
  std::mutex mu_;
  std::map<std::string, int> filled_;
  folly::UMPSCQueue<Order, /*MayBlock=*/true> fills_;
};

// --- must not flag ---------------------------------------------------------

// The same router with the waits outside the lock, and the waits that
// return at once or at a deadline under it.
class OrderRouterFixed {
public:
  explicit OrderRouterFixed(std::size_t capacity) : inbox_(capacity) {}

  bool submit(Order o) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      ++open_[o.symbol];
    }
    inbox_.blockingWrite(std::move(o));
    return true;
  }

  bool try_submit(Order o) {
    std::lock_guard<std::mutex> lk(mu_);
    if (!inbox_.write(o))
      return false;
    ++open_[o.symbol];
    return true;
  }

  void run() {
    for (;;) {
      Order o;
      inbox_.blockingRead(o);
      if (o.quantity == 0)
        return;
      {
        std::lock_guard<std::mutex> lk(mu_);
        --open_[o.symbol];
      }
      route(o);
    }
  }

  bool poll(std::chrono::milliseconds wait) {
    std::lock_guard<std::mutex> lk(mu_);
    Order o;
    if (!inbox_.tryReadUntil(std::chrono::steady_clock::now() + wait, o))
      return false;
    --open_[o.symbol];
    return true;
  }

  int limit_for(const std::string &symbol) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      auto it = limits_.find(symbol);
      if (it != limits_.end())
        return it->second;
    }
    int limit = folly::coro::blockingWait(fetch_limit(symbol));
    std::lock_guard<std::mutex> lk(mu_);
    return limits_[symbol] = limit;
  }

private:
  std::mutex mu_;
  std::map<std::string, int> open_;
  std::map<std::string, int> limits_;
  folly::MPMCQueue<Order> inbox_;
};

class FillListenerFixed {
public:
  void on_fill(Order o) { fills_.enqueue(std::move(o)); }

  bool drain_one(std::chrono::milliseconds wait) {
    Order o;
    std::lock_guard<std::mutex> lk(mu_);
    if (!fills_.try_dequeue_for(o, wait))
      return false;
    filled_[o.symbol] += o.quantity;
    return true;
  }

private:
  std::mutex mu_;
  std::map<std::string, int> filled_;
  folly::UMPSCQueue<Order, /*MayBlock=*/true> fills_;
};
