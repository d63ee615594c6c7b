// Fork-join loops: one thread per element of a container the caller hands
// in (or a message carries) grows with the input even when all are joined
// at the end. No caller of these functions is visible, so the size is the
// callers' input. Splitting the input into chunks
// whose size scales with it (one chunk per hardware thread) runs as many
// threads as chunks: a bound (analysis/CountOrigin). A fixed stride does not.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct Request {
  std::string path;
  std::string body;
};
struct Response {
  int status = 0;
  std::string body;
};
Response handle(const Request &r);
void record(const Response &r);

// Fan-out with one thread per request of the caller's batch, joined before
// returning: a batch of 10 000 requests starts 10 000 threads.
std::vector<Response> handle_all(const std::vector<Request> &requests) {
  std::vector<Response> out(requests.size());
  std::vector<std::thread> threads;
  std::size_t i = 0;
  for (auto &r : requests) // want-note "loop whose trip count depends on input"
    threads.emplace_back([&out, &r, i = i++] { out[i] = handle(r); }); // want thread-unbounded-spawn "a range over parameter 'requests'" want-note "threads accumulate in 'threads' until after the loop"
  for (auto &t : threads)
    t.join();
  return out;
}

// The same over a message's items, through a function pointer and index.
struct Batch {
  std::vector<Request> items;
  std::string origin;
};
void handle_into(const Request &r, Response *out);

void process_batch(const Batch &b, std::vector<Response> &out) {
  out.resize(b.items.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < b.items.size(); ++i) // want-note "loop whose trip count depends on input"
    threads.emplace_back(handle_into, std::cref(b.items[i]), &out[i]); // want thread-unbounded-spawn "a count from the size of" want-note "threads accumulate in 'threads' until after the loop"
  for (auto &t : threads)
    t.join();
}

// Chunking: the caller's data is split into one chunk per hardware thread;
// the number of threads is the number of chunks, not the number of items.
long sum_range(const std::vector<int> &v, std::size_t from, std::size_t to);

long parallel_sum(const std::vector<int> &values) {
  std::size_t workers = std::max(1u, std::thread::hardware_concurrency());
  std::size_t chunk = (values.size() + workers - 1) / workers;
  if (chunk == 0)
    return 0;
  std::vector<long> partial(workers, 0);
  std::vector<std::thread> threads;
  for (std::size_t from = 0, w = 0; from < values.size(); from += chunk, ++w)
    threads.emplace_back([&, from, w] {
      partial[w] = sum_range(values, from, std::min(from + chunk, values.size()));
    });
  for (auto &t : threads)
    t.join();
  long total = 0;
  for (long p : partial)
    total += p;
  return total;
}

// A fixed stride through the input is not chunking into a bounded number of
// parts: 64 items per thread still grows with the input.
void handle_block(const std::vector<Request> &rs, std::size_t from);

void handle_blocks(const std::vector<Request> &requests) {
  std::vector<std::thread> threads;
  for (std::size_t from = 0; from < requests.size(); from += 64) // want-note "loop whose trip count depends on input"
    threads.emplace_back(handle_block, std::cref(requests), from); // want thread-unbounded-spawn "a count from the size of parameter 'requests'" want-note "threads accumulate in 'threads' until after the loop"
  for (auto &t : threads)
    t.join();
}
