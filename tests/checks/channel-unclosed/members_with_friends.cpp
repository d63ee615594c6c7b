// channel-unclosed on channel members of classes with friends. A friend can
// name the private channel, so a class's friends must all be in sight: when
// every friend's definition is in the translation unit and none names the
// channel, a channel no member function closes is reported; a friend that
// names it (it may close it), or a friend whose code is not here, keeps the
// member quiet.
#include <msd/channel.hpp>
#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

using Job = std::function<void()>;

// --- must flag -------------------------------------------------------------

// The friends read the counters; nobody closes `jobs_`, so the workers
// never leave their loops and the destructor's joins hang.
class IndexBuilder {
  friend class BuildMonitor;
  friend std::string summary(const IndexBuilder &b);

public:
  explicit IndexBuilder(int n) {
    for (int i = 0; i < n; ++i)
      workers_.emplace_back([this] {
        for (Job &job : jobs_) { // want channel-unclosed "no member function of its class closes it"
          job();
          ++done_;
        }
      });
  }
  void add(Job j) {
    ++queued_;
    jobs_ << std::move(j);
  }
  ~IndexBuilder() {
    for (auto &w : workers_)
      w.join();
  }

private:
  msd::channel<Job> jobs_{128};
  std::vector<std::thread> workers_;
  std::atomic<long> queued_{0}, done_{0};
};

class BuildMonitor {
public:
  explicit BuildMonitor(const IndexBuilder &b) : b_(b) {}
  double progress() const {
    long q = b_.queued_.load();
    return q == 0 ? 1.0 : double(b_.done_.load()) / double(q);
  }

private:
  const IndexBuilder &b_;
};

std::string summary(const IndexBuilder &b) {
  return std::to_string(b.done_.load()) + "/" +
         std::to_string(b.queued_.load()) + " jobs";
}

// --- must not flag ---------------------------------------------------------

// A friend class closes the channel in a function of its own.
class Uploader {
  friend class UploadDrainer;

public:
  Uploader() {
    sender_ = std::thread([this] {
      for (std::string &chunk : chunks_)
        sent_ += long(chunk.size());
    });
  }
  void push(std::string chunk) { chunks_ << std::move(chunk); }
  ~Uploader() { sender_.join(); }

private:
  msd::channel<std::string> chunks_{16};
  std::thread sender_;
  long sent_ = 0;
};

class UploadDrainer {
public:
  static void finish(Uploader &u) { u.chunks_.close(); }
};

// A friend function, declared here and defined in another library: what it
// does with the channel is unknown.
class Logger {
  friend void flush_and_close(Logger &l);

public:
  Logger() {
    writer_ = std::thread([this] {
      for (std::string &line : lines_)
        written_ += long(line.size());
    });
  }
  void log(std::string line) { lines_ << std::move(line); }
  ~Logger() { writer_.join(); }

private:
  msd::channel<std::string> lines_{256};
  std::thread writer_;
  long written_ = 0;
};

// A friend template reaching the channel through a type that depends on its
// parameter: `owner.events_` may be this member, so it may close it.
template <class Owner> struct Closer {
  static void close_events(Owner &owner) { owner.events_.close(); }
};

class EventBus {
  template <class> friend struct Closer;

public:
  EventBus() {
    dispatcher_ = std::thread([this] {
      for (int e : events_)
        last_ = e;
    });
  }
  void publish(int e) { events_ << e; }
  ~EventBus() { dispatcher_.join(); }

private:
  msd::channel<int> events_{32};
  std::thread dispatcher_;
  int last_ = 0;
};

int main() {
  IndexBuilder b(2);
  b.add([] {});
  BuildMonitor m(b);
  (void)m.progress();
  (void)summary(b);

  Uploader u;
  u.push("x");
  UploadDrainer::finish(u);

  EventBus bus;
  bus.publish(1);
  Closer<EventBus>::close_events(bus);
}
