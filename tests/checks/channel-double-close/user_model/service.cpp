#include "queue.h"
#include <memory>
#include <string>
#include <thread>

struct Request { std::string path; };

class Server {
public:
  void stop() { requests_->close(); }  // want-note "first close here"
  void on_fatal_error() {
    stop();
    requests_->close();  // want channel-double-close "may already be closed"
  }
  void stop_once() {
    if (!requests_->is_closed()) requests_->close();
  }
private:
  std::shared_ptr<acme::BlockingQueue<Request>> requests_ =
      std::make_shared<acme::BlockingQueue<Request>>();
};
