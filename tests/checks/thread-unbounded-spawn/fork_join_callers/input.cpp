// Fork-join over data that comes from input: one thread per element, all
// joined before returning, but the number of elements is set by what was
// read (a stream, a socket, a message) or by callers this file cannot see.
// Where the size comes from is answered by analysis/CountOrigin, which
// follows a parameter to the calls of its function in this file.
#include <array>
#include <cstddef>
#include <functional>
#include <istream>
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
void store(const Response &r);

// No caller in this translation unit: the size is whatever the callers
// elsewhere pass.
std::vector<Response> handle_all(const std::vector<Request> &requests) {
  std::vector<Response> out(requests.size());
  std::vector<std::thread> threads;
  std::size_t i = 0;
  for (const Request &r : requests) // want-note "loop whose trip count depends on input"
    threads.emplace_back([&out, &r, k = i++] { out[k] = handle(r); }); // want thread-unbounded-spawn "parameter 'requests' of 'handle_all', whose size comes from its callers \(none in this translation unit\)" want-note "threads accumulate in 'threads' until after the loop"
  for (auto &t : threads)
    t.join();
  return out;
}

// The only caller reads the list from a stream, one request per line.
void fetch_all(const std::vector<std::string> &urls) {
  std::vector<std::thread> fetchers;
  for (std::size_t i = 0; i < urls.size(); ++i)
    fetchers.emplace_back([&urls, i] { store(handle(Request{urls[i], {}})); }); // want thread-unbounded-spawn "parameter 'urls' of 'fetch_all', whose size comes from its caller 'serve_batch': 'lines' \(filled in a loop driven by input: one iteration per item read in the loop condition\).*fixed-size pool"
  for (auto &t : fetchers)
    t.join();
}

void serve_batch(std::istream &in) {
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty())
      lines.push_back(line);
  fetch_all(lines);
}

// A message's list, handed down two levels.
struct Batch {
  std::string origin;
  std::vector<Request> items;
};
void apply_each(const std::vector<Request> &items) {
  std::vector<std::jthread> appliers;
  for (const Request &r : items)
    appliers.emplace_back([&r] { store(handle(r)); }); // want thread-unbounded-spawn "parameter 'items' of 'apply_each', whose size comes from its caller 'apply_items': parameter 'items' of 'apply_items', whose size comes from its caller 'on_batch': member 'items'"
}
void apply_items(const std::vector<Request> &items) { apply_each(items); }
void on_batch(const Batch &b) { apply_items(b.items); }

// One caller passes a fixed list, another what a loader returns: the
// loader's result decides.
std::vector<Request> load_requests(const std::string &path);
void replay(const std::vector<Request> &log) {
  std::vector<std::thread> ts;
  for (auto it = log.begin(); it != log.end(); ++it)
    ts.emplace_back(handle, std::cref(*it)); // want thread-unbounded-spawn "the size of parameter 'log' of 'replay', whose size comes from its caller 'replay_file': the result of 'load_requests'"
  for (auto &t : ts)
    t.join();
}
void replay_defaults() {
  replay({Request{"/health", {}}, Request{"/ready", {}}});
}
void replay_file(const std::string &path) { replay(load_requests(path)); }

// Also registered as a callback: not every caller is visible, whatever the
// direct call passes.
void index_all(const std::vector<std::string> &docs) {
  std::vector<std::thread> ts;
  for (const auto &d : docs)
    ts.emplace_back([&d] { store(handle(Request{d, {}})); }); // want thread-unbounded-spawn "parameter 'docs' of 'index_all', whose size comes from its callers \(it is also called indirectly, not every caller is visible\)"
  for (auto &t : ts)
    t.join();
}
std::function<void(const std::vector<std::string> &)> on_docs = index_all;
void index_builtin() { index_all({"readme", "license"}); }

// A list grown in the same function from a socket-like source, then fanned
// out: joined at the end, still one thread per item received.
bool receive(int fd, Request &out);
void drain_and_handle(int fd) {
  std::vector<Request> pending;
  Request r;
  while (receive(fd, r))
    pending.push_back(r);
  std::vector<std::thread> ts;
  for (const Request &p : pending) // want-note "loop whose trip count depends on input"
    ts.emplace_back(handle, std::cref(p)); // want thread-unbounded-spawn "a range over 'pending' \(filled in a loop driven by input: one iteration per item read in the loop condition\)"
  for (auto &t : ts)
    t.join();
}

// A number of retries the caller parses from its input, one thread each.
int parse_count(const std::string &s);
void retry_all(int n, const Request &r) {
  std::vector<std::thread> attempts;
  for (int a = 0; a < n; ++a)
    attempts.emplace_back([&r, a] { // want thread-unbounded-spawn "parameter 'n' of 'retry_all', whose value comes from its caller 'on_command': the result of 'parse_count'"
      store(handle(Request{r.path + "?attempt=" + std::to_string(a), r.body}));
    });
  for (auto &t : attempts)
    t.join();
}
void on_command(const std::string &arg, const Request &r) {
  retry_all(parse_count(arg), r);
}
