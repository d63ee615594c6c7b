// Thread members of classes with friends. A friend can name a private
// member, so its code counts like the class's own: when every friend's
// definition is in the translation unit, a member that no member function
// and no friend joins, detaches or moves is reported; a friend that joins,
// detaches or moves it keeps it quiet, and so does a friend whose code is
// not here (what it does with the member is unknown).
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace app {

struct Context {
  std::string name;
  std::atomic<bool> stopping{false};
};

void wait_for_signal(std::atomic<bool> &stop, int signo);

template <class Char> class ServiceHost;
template <class Char> class DaemonHost;

// The hosts start the dispatcher and read its context, but neither touches
// the thread: the destructor stops the loop and lets the shared_ptr destroy
// a joinable std::thread.
class SignalDispatcher {
  template <class> friend class ServiceHost;
  template <class> friend class DaemonHost;

public:
  explicit SignalDispatcher(Context &ctx) : ctx_(ctx) {}
  virtual ~SignalDispatcher() { // want thread-leak "std::thread member 'loop_thread_' \(owned through std::shared_ptr\) is never joined or detached; destroying a 'SignalDispatcher' while the thread runs calls std::terminate"
    if (loop_thread_)
      stop_ = true;
  }

  void bind(int signo, std::function<bool()> handler) {
    std::lock_guard<std::mutex> lock(mu_);
    handlers_[signo] = std::move(handler);
  }
  bool is_bound(int signo) const {
    std::lock_guard<std::mutex> lock(mu_);
    return handlers_.count(signo) != 0;
  }

protected:
  void start() {
    loop_thread_.reset(new std::thread([this] { run(); })); // want-note "thread started here"
  }

private:
  void run() {
    while (!stop_)
      for (auto &entry : snapshot())
        if (entry.second)
          entry.second();
  }
  std::map<int, std::function<bool()>> snapshot() const {
    std::lock_guard<std::mutex> lock(mu_);
    return handlers_;
  }

  Context &ctx_;
  mutable std::mutex mu_;
  std::map<int, std::function<bool()>> handlers_;
  std::atomic<bool> stop_{false};
  std::shared_ptr<std::thread> loop_thread_; // want-note "member declared here"
};

template <class Char> class ServiceHost {
public:
  ServiceHost(std::function<int()> main, SignalDispatcher &sd)
      : main_(std::move(main)), name_(sd.ctx_.name) {
    sd.start();
  }
  int run() { return main_(); }

private:
  std::function<int()> main_;
  std::basic_string<Char> name_;
};

template <class Char> class DaemonHost {
public:
  DaemonHost(std::function<int()> main, SignalDispatcher &sd)
      : main_(std::move(main)), sd_(sd) {}
  int run() {
    daemonize();
    sd_.start(); // started after the fork
    return main_();
  }

private:
  void daemonize() { sd_.ctx_.stopping = false; }
  std::function<int()> main_;
  SignalDispatcher &sd_;
};

// A friend function that reads other members only: still reported.
class Reporter {
  friend std::string describe(const Reporter &r);

public:
  Reporter() : worker_([this] { publish(); }) {} // want-note "thread started here"
  ~Reporter() { done_ = true; } // want thread-leak "std::thread member 'worker_' is never joined or detached; destroying a 'Reporter'"

private:
  void publish() {
    while (!done_)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::string target_ = "stdout";
  std::atomic<bool> done_{false};
  std::thread worker_; // want-note "member declared here"
};

std::string describe(const Reporter &r) { return "reporter to " + r.target_; }

// A friend class that joins the member in a function of its own: quiet.
class Shutdown;
class Listener {
  friend class Shutdown;

public:
  void listen(int port) {
    port_ = port;
    acceptor_ = std::thread([this] { accept_loop(); });
  }

private:
  void accept_loop() {
    while (!closed_)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  int port_ = 0;
  std::atomic<bool> closed_{false};
  std::thread acceptor_;
};

class Shutdown {
public:
  explicit Shutdown(std::vector<Listener *> ls) : listeners_(std::move(ls)) {}
  void run() {
    for (Listener *l : listeners_)
      close(*l);
  }

private:
  static void close(Listener &l) {
    l.closed_ = true;
    if (l.acceptor_.joinable())
      l.acceptor_.join();
  }
  std::vector<Listener *> listeners_;
};

// A friend function that detaches the member: quiet.
class Beacon {
  friend void release(Beacon &b);

public:
  void start() { pinger_ = std::thread([this] { ping(); }); }

private:
  void ping() {
    while (!released_)
      std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  std::atomic<bool> released_{false};
  std::thread pinger_;
};

void release(Beacon &b) {
  b.released_ = true;
  b.pinger_.detach();
}

// A friend template that reaches the member through a type that depends on
// its parameter: `owner.threads_` may be this member, so it counts: quiet.
template <class Owner> struct Reaper {
  static void reap(Owner &owner) {
    for (auto &t : owner.threads_)
      t.join();
  }
};

class Crawler {
  template <class> friend struct Reaper;

public:
  void crawl(const std::vector<std::string> &urls) {
    urls_ = urls;
    for (unsigned i = 0; i < kWorkers; ++i)
      threads_.emplace_back([this, i] { fetch(i); });
  }

private:
  static constexpr unsigned kWorkers = 4;
  void fetch(unsigned worker) {
    for (std::size_t j = worker; j < urls_.size(); j += kWorkers)
      fetched_ += urls_[j].size();
  }
  std::vector<std::string> urls_;
  std::atomic<std::size_t> fetched_{0};
  std::vector<std::thread> threads_;
};

// A friend class whose member function is defined in no translation unit
// this one sees: what it does with the member is unknown, quiet.
class Supervisor;
class Indexer {
  friend class Supervisor;

public:
  void start() { thread_ = std::thread([this] { index(); }); }

private:
  void index() { ++pages_; }
  std::atomic<int> pages_{0};
  std::thread thread_;
};

class Supervisor {
public:
  void stop_all(Indexer &ix); // defined elsewhere
  int checked() const { return checked_; }

private:
  int checked_ = 0;
};

// A friend declared and never defined: unknown, quiet.
class Flusher {
  friend void drain(Flusher &f);

public:
  void start() { t_ = std::thread([this] { flush(); }); }

private:
  void flush() { ++flushed_; }
  std::atomic<int> flushed_{0};
  std::thread t_;
};

} // namespace app

int main() {
  app::Context ctx;
  ctx.name = "svc";
  app::SignalDispatcher sd(ctx);
  sd.bind(15, [] { return true; });
  app::ServiceHost<char> host([] { return 0; }, sd);
  app::DaemonHost<wchar_t> daemon([] { return 0; }, sd);
  int rc = host.run() + daemon.run();

  app::Reporter rep;
  (void)app::describe(rep);

  app::Listener l;
  l.listen(8080);
  app::Shutdown({&l}).run();

  app::Beacon b;
  b.start();
  app::release(b);

  app::Crawler c;
  c.crawl({"a", "b"});
  app::Reaper<app::Crawler>::reap(c);

  app::Indexer ix;
  ix.start();
  app::Supervisor sup;
  sup.stop_all(ix);

  app::Flusher f;
  f.start();
  return rc;
}
