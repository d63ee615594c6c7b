// Threads started in loops that are fine: joined in the same iteration,
// capturing copies, or capturing by reference objects that outlive them.
#include <algorithm>
#include <array>
#include <execution>
#include <future>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

int score(int shard);
void upload(const std::string &path);
void record(int shard, int value);

// 1. Joined in the same iteration.
void one_at_a_time(int n) {
  for (int i = 0; i < n; ++i) {
    std::thread t([&i] { record(i, score(i)); });
    t.join();
  }
}

// 2. Captured by value, explicitly and by default.
void by_value(const std::array<std::string, 4> &paths) {
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i)
    workers.emplace_back([i] { record(i, score(i)); });
  for (std::string path : paths)
    std::thread([=] { upload(path); }).detach();
  for (auto &t : workers)
    t.join();
}

// 3. Results vector and mutex declared before the loop, captured by
//    reference, threads joined before they go away.
class Scorer {
public:
  static constexpr int kShards = 16;
  std::vector<int> run() {
    std::vector<int> results;
    std::mutex mu;
    std::vector<std::thread> workers;
    for (int shard = 0; shard < kShards; ++shard)
      workers.emplace_back([&results, &mu, shard] {
        int s = score(shard);
        std::lock_guard<std::mutex> lk(mu);
        results.push_back(s);
      });
    for (auto &t : workers)
      t.join();
    return results;
  }
};

// 4. std::ref of an object that outlives the threads.
struct Stats {
  std::mutex mu;
  std::map<int, int> by_shard;
};
void collect(Stats &stats, int shard) {
  std::lock_guard<std::mutex> lk(stats.mu);
  stats.by_shard[shard] = score(shard);
}
void collect_all(int n) {
  auto stats = std::make_shared<Stats>();
  std::vector<std::thread> workers;
  for (int i = 0; i < n && i < 8; ++i)
    workers.emplace_back(collect, std::ref(*stats), i);
  for (auto &t : workers)
    t.join();
}

// 5. Range variable bound by reference: the lambda refers to the element,
//    which lives in the container.
void upload_in_place(const std::array<std::string, 3> &paths) {
  std::vector<std::thread> workers;
  for (const auto &path : paths)
    workers.emplace_back([&] { upload(path); });
  for (auto &t : workers)
    t.join();
}

// 6. A jthread and a std::async future local to the iteration: their
//    destructors wait before the iteration ends.
void scoped_waits(int n) {
  for (int i = 0; i < n; ++i) {
    std::jthread t([&] { record(i, score(i)); });
  }
  for (int i = 0; i < n; ++i) {
    int local = score(i);
    auto f = std::async(std::launch::async, [&] { return local * 2; });
    record(i, f.get());
  }
  for (int i = 0; i < n; ++i)
    std::async(std::launch::async, [&i] { record(i, 0); });
}

// 7. Parallel algorithms are not spawns this check looks at.
void parallel(std::vector<int> &values) {
  for (int round = 0; round < 3; ++round)
    std::for_each(std::execution::par, values.begin(), values.end(),
                  [&round](int &v) { v += round; });
}

// 8. Batches joined unconditionally inside the outer iteration: the inner
//    counter is copied, the outer row is referenced until the join.
void rows(const std::vector<std::vector<int>> &grid) {
  for (std::vector<int> row : grid) {
    std::vector<std::thread> cells;
    for (size_t c = 0; c < row.size(); ++c)
      cells.emplace_back([&row, c] { record(int(c), row[c]); });
    for (auto &t : cells)
      t.join();
  }
}

// 9. Detached workers per row that count down a latch the iteration waits
//    for: they are done with `row` before the next iteration.
void rows_with_latch(const std::vector<std::vector<int>> &grid) {
  for (size_t r = 0; r < grid.size(); ++r) {
    std::vector<int> row = grid[r];
    std::latch done(2);
    for (int half = 0; half < 2; ++half)
      std::thread([&row, &done, half, r] {
        for (size_t c = half; c < row.size(); c += 2)
          record(int(r), row[c]);
        done.count_down();
      }).detach();
    done.wait();
  }
}
