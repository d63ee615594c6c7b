// The same queue used correctly: one producer closes once, after its last
// push; the consumer drains until pop() reports the end.
#include "queue.h"
#include <thread>
#include <vector>

int consume_all(const std::vector<int> &xs) {
  acme::BlockingQueue<int> q;
  std::thread producer([&] {
    for (int x : xs) q.push(x);
    q.close();
  });
  int sum = 0;
  while (auto v = q.pop()) sum += *v;
  producer.join();
  return sum;
}
