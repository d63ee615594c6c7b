// The bug needs producer.cpp: produce_quotes() sends on the queue, and the
// owner closes it before joining the thread that runs it.
// Currently missed even with the link phase: calls are resolved across
// translation units, but a function started as a thread body
// (std::thread(produce_quotes, std::ref(q), n)) is not.
#include "feed.h"
#include <functional>
#include <thread>

int run_feed(int n) {
  Quotes q;
  std::thread t(produce_quotes, std::ref(q), n);
  q.close();  // want-note "closed here"
  t.join();
  return n;
}
