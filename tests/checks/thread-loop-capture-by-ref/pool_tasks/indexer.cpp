#include "pool.h"

// Tasks queued on the pool run after the iteration that queued them.
void Indexer::index(const std::vector<Chunk> &chunks) {
  for (Chunk c : chunks) {  // want-note "'c' declared here"
    auto copy = std::make_shared<Chunk>(c);
    pool_.post([&] { store(c.id, checksum(*copy)); });  // want thread-loop-capture-by-ref "loop variable 'c' is captured by reference \(\[&\]\) by a task" want thread-loop-capture-by-ref "variable 'copy', declared in the loop body"
  }
}

void Indexer::index_ids(int first, int last) {
  for (int id = first; id < last; ++id)
    pending_.push_back(pool_.submit([&id] { return id * 2; }));  // want thread-loop-capture-by-ref "loop variable 'id' is captured by reference by a task"
}

// Awaited in the same iteration, or captured by value: fine.
int Indexer::index_and_wait(const std::vector<Chunk> &chunks) {
  int total = 0;
  for (const Chunk &c : chunks) {
    int weight = c.id % 7;
    auto f = pool_.submit([&c, &weight] { return checksum(c) * weight; });
    total += f.get();
  }
  for (int id = 0; id < 16; ++id)
    pending_.push_back(pool_.submit([id] { return id * 2; }));
  for (int round = 0; round < 4; ++round) {
    pool_.post([&round] { store(round, 0); });
    pool_.wait_idle();
  }
  return total;
}
