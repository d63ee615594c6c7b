#include "numbers.h"

#include <thread>

std::shared_ptr<Numbers> count_to(long n) {
  auto out = std::make_shared<Numbers>(8);
  std::thread([out, n] {
    for (long i = 1; i <= n; ++i)
      out->push(i);
    out->close();
  }).detach();
  return out;
}

std::shared_ptr<Numbers> squares_to(long n) {
  auto out = std::make_shared<Numbers>(8);
  std::thread([out, n] {
    for (long i = 1; i <= n; ++i)
      out->push(i * i); // want channel-unclosed "returned by 'squares_to' is never closed"
  }).detach();
  return out;
}

std::shared_ptr<Numbers> doubled(std::shared_ptr<Numbers> in) {
  auto out = std::make_shared<Numbers>(8);
  std::thread([in, out] {
    for (long v : *in)
      out->push(2 * v);
    out->close();
  }).detach();
  return out;
}
