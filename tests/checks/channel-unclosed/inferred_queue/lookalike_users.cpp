// The same pipeline shapes on classes that only look like queues: tether
// infers no channel for them, so it has no close to ask for.
#include "lookalikes.h"

#include <string>
#include <thread>
#include <vector>

std::vector<int> produce(int n);
void consume(int v);

void worklist_pipeline(int n) {
  etl::WorkList<int> work;
  std::thread producer([&work, n] {
    for (int v : produce(n))
      work.add(v);
  });
  for (int i = 0; i < n; ++i) {
    int v = 0;
    work.take(v);
    consume(v);
  }
  producer.join();
}

void lazy_pipeline(int n) {
  etl::LazyQueue<int> q;
  std::thread producer([&q, n] {
    for (int v : produce(n))
      q.push(v);
  });
  int v = 0;
  while (q.pop(v))
    consume(v);
  producer.join();
}
