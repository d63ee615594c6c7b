// Fork-join over data whose size is fixed where it is made: every caller in
// this file passes a container of constant or configured size (a braced
// list, a container filled by a constant-bound loop, one sized by
// hardware_concurrency()), so the number of threads does not grow with any
// input. analysis/CountOrigin follows each parameter to those callers.
#include <array>
#include <cstddef>
#include <string>
#include <thread>
#include <vector>

struct Tile {
  int x = 0, y = 0;
};
struct Frame {
  std::vector<unsigned> pixels;
};
void render_tile(const Tile &t, Frame &f);
void probe(const std::string &host);

// 1. Tiles of a 4x4 grid, built by constant-bound loops in the only caller.
static void render_tiles(const std::vector<Tile> &tiles, Frame &f) {
  std::vector<std::thread> ts;
  for (const Tile &t : tiles)
    ts.emplace_back(render_tile, std::cref(t), std::ref(f));
  for (auto &t : ts)
    t.join();
}
void render_frame(Frame &f) {
  std::vector<Tile> grid;
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x)
      grid.push_back(Tile{x, y});
  render_tiles(grid, f);
}

// 2. A fixed list of hosts, passed as a braced list by one caller and as a
//    local initialised with one by another, through an intermediate helper.
void probe_each(const std::vector<std::string> &hosts) {
  std::vector<std::jthread> probes;
  for (std::size_t i = 0; i < hosts.size(); ++i)
    probes.emplace_back([&hosts, i] { probe(hosts[i]); });
}
void probe_group(const std::vector<std::string> &hosts) { probe_each(hosts); }
void health_check() { probe_group({"db", "cache", "queue"}); }
void startup_check() {
  std::vector<std::string> core = {"db", "auth"};
  probe_group(core);
}

// 3. One slot per hardware thread: the container is resized to the
//    machine's concurrency before the fan-out.
struct Partial {
  long sum = 0;
};
void accumulate(Partial &p, std::size_t part, std::size_t parts);
static void reduce_parts(std::vector<Partial> &parts) {
  std::vector<std::thread> ts;
  for (std::size_t i = 0; i < parts.size(); ++i)
    ts.emplace_back(accumulate, std::ref(parts[i]), i, parts.size());
  for (auto &t : ts)
    t.join();
}
long total() {
  std::vector<Partial> parts;
  parts.resize(std::thread::hardware_concurrency());
  reduce_parts(parts);
  long sum = 0;
  for (const Partial &p : parts)
    sum += p.sum;
  return sum;
}

// 4. A count whose every caller passes a constant or the core count, and a
//    default argument that is a fixed list.
void run_stage(int stage);
void stages(int n) {
  std::vector<std::thread> ts;
  for (int i = 0; i < n; ++i)
    ts.emplace_back(run_stage, i);
  for (auto &t : ts)
    t.join();
}
void pipeline_small() { stages(3); }
void pipeline_wide() { stages(static_cast<int>(std::thread::hardware_concurrency())); }

void warm(const std::vector<int> &ids = {1, 2, 3}) {
  std::vector<std::thread> ts;
  for (int id : ids)
    ts.emplace_back(run_stage, id);
  for (auto &t : ts)
    t.join();
}
void warm_default() { warm(); }

// 5. A std::array parameter: its size is part of its type.
void flush_shards(const std::array<Frame, 8> &shards) {
  std::vector<std::thread> ts;
  for (const Frame &f : shards)
    ts.emplace_back([&f] { (void)f.pixels.size(); });
  for (auto &t : ts)
    t.join();
}

// 6. Workers that split the caller's data among themselves: thread w takes
//    every n-th record from w on. The count is a number of workers (the
//    callers' choice, none visible here), the records are shared out in n
//    strides: chunking by the count, not a thread per record.
struct Record {
  std::string host;
};
void tally(const std::string &host);
void tally_hosts(const std::vector<Record> &records, unsigned workers) {
  std::vector<std::thread> pool;
  for (unsigned w = 0; w < workers; ++w)
    pool.emplace_back([&records, w, workers] {
      for (std::size_t i = w; i < records.size(); i += workers)
        tally(records[i].host);
    });
  for (auto &t : pool)
    t.join();
}
