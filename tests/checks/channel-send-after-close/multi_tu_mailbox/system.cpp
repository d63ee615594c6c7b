// The actor used correctly from another translation unit, and a local
// mailbox whose producer seals after its last post.
#include "mailbox.h"
#include <vector>

void greet_all(Actor &a, const std::vector<std::string> &names) {
  for (const auto &n : names)
    a.tell("hello " + n);
  a.stop();
}

std::size_t relay(const std::vector<Message> &msgs) {
  actor::Mailbox<Message> box;
  std::thread producer([&box, &msgs] {
    for (const auto &m : msgs)
      box.post(m);
    box.seal();
  });
  std::size_t n = 0;
  while (box.take())
    ++n;
  producer.join();
  return n;
}
