#include "session.h"

#include <memory>
#include <vector>

// The friend that ends sessions: it stops the reader and joins it.
class SessionReaper {
public:
  void adopt(std::unique_ptr<Session> s) { sessions_.push_back(std::move(s)); }
  void reap_all() {
    for (auto &s : sessions_)
      reap(*s);
    sessions_.clear();
  }

private:
  static void reap(Session &s) {
    s.closing_ = true;
    if (s.reader_.joinable())
      s.reader_.join();
  }
  std::vector<std::unique_ptr<Session>> sessions_;
};

int main() {
  SessionReaper reaper;
  auto s = std::make_unique<Session>(0);
  s->start();
  reaper.adopt(std::move(s));
  reaper.reap_all();
  return 0;
}
