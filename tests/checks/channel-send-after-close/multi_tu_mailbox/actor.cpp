// The actor's own methods: the bug here is local to this file.
#include "mailbox.h"

void Actor::start() {
  loop_ = std::thread([this] {
    while (auto m = inbox_.take()) {
      (void)m;
    }
  });
}

void Actor::tell(const std::string &body) { inbox_.post(Message{name_, body}); }

void Actor::stop() {
  inbox_.seal();
  if (loop_.joinable())
    loop_.join();
}

// Seals, then posts a farewell: with send_after_close: ub even a checked
// post is wrong.
void Actor::stop_and_greet() {
  inbox_.seal();  // want-note "closed here"
  if (!inbox_.post(Message{name_, "bye"}))  // want channel-send-after-close "after it may have been closed"
    return;
  loop_.join();
}
