// channel-unclosed with msd::channel members: the worker pool whose
// dispatcher forgets to close `jobs`, next to the pool that closes it.
#include <msd/channel.hpp>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

using Job = std::function<void()>;

// --- must flag -------------------------------------------------------------

class LeakyPool {
public:
  explicit LeakyPool(int n) {
    for (int i = 0; i < n; ++i)
      workers_.emplace_back([this] {
        for (Job &job : jobs_) // want channel-unclosed "no member function of its class closes it"
          job();
      });
  }
  void submit(Job j) { jobs_ << std::move(j); }
  ~LeakyPool() {
    for (auto &w : workers_)
      w.join(); // hangs: the workers never leave their loops
  }

private:
  msd::channel<Job> jobs_{64};
  std::vector<std::thread> workers_;
};

// A local msd channel drained with read() in a loop; the writer forgets.
void forward(std::vector<int> xs, std::vector<int> &out) {
  auto ch = std::make_shared<msd::channel<int>>(8);
  std::thread writer([ch, xs] {
    for (int x : xs)
      *ch << x; // want channel-unclosed "never closed after this send"
  });
  int v;
  while (ch->read(v))
    out.push_back(v);
  writer.join();
}

// --- must not flag ---------------------------------------------------------

class Pool {
public:
  explicit Pool(int n) {
    for (int i = 0; i < n; ++i)
      workers_.emplace_back([this] {
        for (Job &job : jobs_)
          job();
      });
  }
  void submit(Job j) { jobs_ << std::move(j); }
  ~Pool() {
    jobs_.close(); // the dispatcher closes jobs
    for (auto &w : workers_)
      w.join();
  }

private:
  msd::channel<Job> jobs_{64};
  std::vector<std::thread> workers_;
};

// A pool that closes in a helper called from the destructor.
class HelperClosingPool {
public:
  HelperClosingPool() {
    worker_ = std::thread([this] {
      for (Job &job : jobs_)
        job();
    });
  }
  ~HelperClosingPool() {
    shutdown();
    worker_.join();
  }

private:
  void shutdown() { jobs_.close(); }
  msd::channel<Job> jobs_;
  std::thread worker_;
};

// A member the class exposes: outside code may close it.
class Exposed {
public:
  Exposed() {
    t_ = std::thread([this] {
      for (int v : in_)
        sum_ += v;
    });
  }
  msd::channel<int> &input() { return in_; }
  ~Exposed() { t_.join(); }

private:
  msd::channel<int> in_;
  std::thread t_;
  int sum_ = 0;
};

// A class with a member function defined elsewhere (not in this TU and
// unknown to the link phase): unsure, not reported.
class Partial {
public:
  Partial() {
    t_ = std::thread([this] {
      for (int v : in_)
        last_ = v;
    });
  }
  void stop(); // defined in another library
  ~Partial() { t_.join(); }

private:
  msd::channel<int> in_;
  std::thread t_;
  int last_ = 0;
};
