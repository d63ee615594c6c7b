// A thread per input item, with nothing bounding how many run at once.
#include <future>
#include <istream>
#include <memory>
#include <mutex>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <vector>

struct Request {
  std::string path;
  std::shared_ptr<std::string> body;
};
void handle(const Request &r);
void serve(int fd);
void index_line(std::string line);
int crawl(std::string url);

// 1. The seed's shape: a thread per accepted connection, detached.
class Server {
public:
  explicit Server(int listen_fd) : listen_fd_(listen_fd) {}
  void run() {
    while (!stopping_) {  // want-note "loop whose trip count depends on input"
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0)
        continue;
      std::thread([fd] { serve(fd); }).detach();  // want thread-unbounded-spawn "read in the loop\) and nothing bounds how many run at once"
    }
  }

private:
  int listen_fd_;
  bool stopping_ = false;
};

// 2. A thread per element of a container parameter, kept in a member until
//    the router is destroyed.
class Router {
public:
  void route(const std::vector<Request> &requests) {
    for (Request r : requests)
      inflight_.emplace_back([r] { handle(r); });  // want thread-unbounded-spawn "a range over parameter 'requests'"
  }
  ~Router() {
    for (auto &t : inflight_)
      t.join();
  }

private:
  std::vector<std::thread> inflight_;
};

// 3. A thread per line of a stream.
void index_stream(std::istream &in) {
  std::vector<std::thread> indexers;
  std::string line;
  while (std::getline(in, line))
    indexers.emplace_back(index_line, line);  // want thread-unbounded-spawn "read in the loop condition"
  for (auto &t : indexers)
    t.join();
}

// 4. A count from a parameter, every page crawled on its own detached
//    thread.
void crawl_n(const std::vector<std::string> &seeds, size_t pages) {
  for (size_t i = 0; i < pages; ++i) {
    std::string url = seeds[i % seeds.size()] + "?page=" + std::to_string(i);
    std::thread(crawl, url).detach();  // want thread-unbounded-spawn "a count from parameter 'pages'"
  }
}

// 5. A range over a member container; the handles go into another member.
class Dispatcher {
public:
  void dispatch() {
    std::lock_guard<std::mutex> lk(mu_);
    for (const auto &req : pending_)
      running_.push_back(std::thread(handle, req));  // want thread-unbounded-spawn "a range over member 'pending_'"
    pending_.clear();
  }
  ~Dispatcher() {
    for (auto &t : running_)
      t.join();
  }

private:
  std::mutex mu_;
  std::vector<Request> pending_;
  std::vector<std::thread> running_;
};

// 6. A thread per message popped from a queue, handle moved into a list.
template <typename T> class Inbox {
public:
  bool pop(T &out);
};
void drain(Inbox<Request> &inbox, std::vector<std::thread> &out) {
  Request r;
  while (inbox.pop(r)) {
    std::thread t(handle, r);  // want thread-unbounded-spawn "read in the loop condition"
    out.push_back(std::move(t));
  }
}

// 7. A size from a parameter bounds the loop, threads are detached.
void fire_and_forget(const std::vector<Request> &batch) {
  for (size_t i = 0; i < batch.size(); ++i) {
    auto req = std::make_shared<Request>(batch[i]);
    std::thread([req] { handle(*req); }).detach();  // want thread-unbounded-spawn "a count from the size of parameter 'batch'"
  }
}
