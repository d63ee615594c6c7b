#include "server.h"

namespace net {

void ThreadPerConnectionServer::serve() {
  while (Connection c = listener_.accept()) {  // want-note "loop whose trip count depends on input"
    auto session = std::make_shared<Session>(std::move(c));
    std::lock_guard<std::mutex> lk(mu_);
    sessions_.emplace_back([session] { session->run(); });  // want thread-unbounded-spawn "one iteration per item read in the loop condition"
  }
}

void ThreadPerConnectionServer::shutdown() {
  listener_.close();
  std::vector<std::thread> sessions;
  {
    std::lock_guard<std::mutex> lk(mu_);
    sessions.swap(sessions_);
  }
  for (auto &t : sessions)
    t.join();
}

} // namespace net
