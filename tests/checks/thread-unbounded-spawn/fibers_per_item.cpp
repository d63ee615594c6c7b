// A fiber per input item is how fiber code is written: a fiber is a stack
// and a scheduler entry, not an OS thread (its spawn model says
// `lightweight: true`). The same loop starting OS threads is flagged.
#include <boost/fiber/all.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

struct Connection {
  std::string peer;
  int fd = -1;
};
void serve(const Connection &c);

class FiberServer {
public:
  explicit FiberServer(std::shared_ptr<std::vector<Connection>> conns)
      : conns_(std::move(conns)) {}

  // --- must not flag: one fiber per connection, joined at the end.
  void serveAll() {
    std::vector<boost::fibers::fiber> fibers;
    for (const Connection &c : *conns_)
      fibers.emplace_back([&c] { serve(c); });
    for (auto &f : fibers)
      f.join();
  }

  // --- must not flag: detached fibers, each owned by the scheduler.
  void serveDetached(const std::vector<Connection> &batch) {
    for (const Connection &c : batch)
      boost::fibers::fiber([c] { serve(c); }).detach();
  }

  // --- must flag: the same loop with OS threads, left running.
  void serveOnThreads(const std::vector<Connection> &batch) {
    for (const Connection &c : batch)  // want-note "loop whose trip count depends on input"
      threads_.emplace_back([c] { serve(c); });  // want thread-unbounded-spawn "a range over parameter 'batch' of 'serveOnThreads'"
  }

  ~FiberServer() {
    for (auto &t : threads_)
      t.join();
  }

private:
  std::shared_ptr<std::vector<Connection>> conns_;
  std::vector<std::thread> threads_;
};
