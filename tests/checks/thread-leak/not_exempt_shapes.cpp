// Close relatives of the exempt shapes that are still bugs: a destructor
// that aborts only on one path, an event loop that ran before the thread was
// detached, and a call between sibling joins that can really throw.
#include <boost/asio.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

class Journal {
public:
  // Aborts only when entries were lost; otherwise destroyed normally.
  ~Journal() {
    if (pending_ != 0)
      std::abort();
  }

  void flush_async() {
    std::thread writer([this] { write_all(); }); // want-note "thread started here"
    writer.detach();                             // want thread-leak "detached thread uses 'this' of 'Journal' and may outlive the object"
  }

private:
  void write_all() {
    for (const std::string &line : lines_)
      std::fputs(line.c_str(), stdout);
    pending_ = 0;
  }

  std::vector<std::string> lines_;
  int pending_ = 0;
};

void drain_then_report(boost::asio::io_context &io) {
  std::vector<int> results;
  io.run(); // the loop ran before the thread existed: not a wait for it
  std::thread reporter([&results] { std::printf("%zu\n", results.size()); });
  reporter.detach(); // want thread-leak "detached thread refers to local variable 'results'"
  results.push_back(1);
}

struct Config {
  std::string path;
};
Config parse_config(const std::string &path); // may throw

int load_two(const std::string &path) {
  try {
    std::thread a([] { std::cout << "a\n"; });
    std::thread b([] { std::cout << "b\n"; }); // want thread-leak "'b' is not joined or detached on every path"
    a.join();
    Config cfg = parse_config(path); // want-note "an exception thrown here destroys 'b' while joinable"
    b.join();
    return cfg.path.empty() ? 1 : 0;
  } catch (const std::exception &e) {
    std::cerr << e.what() << '\n';
    return 2;
  }
}
