// What the caller search does not claim to know, and so does not report: a
// caller's container that other code may fill (handed by reference to a
// loader) is unknown, not input. And a recursive function is answered by
// all its calls, the recursive one included: here each passes a pair.
#include <cstddef>
#include <string>
#include <thread>
#include <vector>

struct Job {
  std::string name;
};
void run(const Job &j);
void load_jobs(std::vector<Job> &into);

void run_jobs(const std::vector<Job> &jobs) {
  std::vector<std::thread> ts;
  for (const Job &j : jobs)
    ts.emplace_back(run, std::cref(j));
  for (auto &t : ts)
    t.join();
}
void run_loaded() {
  std::vector<Job> jobs;
  load_jobs(jobs); // fills it, we cannot see how
  run_jobs(jobs);
}

// Sorts the parts on one thread each, then recurses on a pair of them:
// every call, recursive or not, passes two parts.
void sort_part(std::vector<int> &v);
void split(const std::vector<std::vector<int>> &parts) {
  std::vector<std::thread> ts;
  for (std::size_t i = 0; i < parts.size(); ++i)
    ts.emplace_back([&parts, i] {
      std::vector<int> copy = parts[i];
      sort_part(copy);
    });
  for (auto &t : ts)
    t.join();
  if (parts.size() > 1)
    split({parts.front(), parts.back()});
}
void sort_pair(const std::vector<int> &a, const std::vector<int> &b) {
  split({a, b});
}
