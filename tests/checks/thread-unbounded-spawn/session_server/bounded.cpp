#include "server.h"

namespace net {

// A slot is taken (in a helper) before every spawn and given back when the
// session ends: at most 256 sessions run at once.
void BoundedServer::admit() { slots_.acquire(); }

void BoundedServer::serve() {
  while (Connection c = listener_.accept()) {
    admit();
    auto session = std::make_shared<Session>(std::move(c));
    std::thread([this, session] {
      session->run();
      slots_.release();
    }).detach();  // want thread-leak "uses 'this' of 'BoundedServer'"
  }
}

// Sessions for a fixed list of peers, joined before returning.
void warm_up(Listener &l) {
  std::vector<std::thread> warm;
  for (int i = 0; i < 3; ++i) {
    Connection c = l.accept();
    warm.emplace_back([c] { Session(c).run(); });
  }
  for (auto &t : warm)
    t.join();
}

} // namespace net
