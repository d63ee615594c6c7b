// A std::thread that is not joined on some path to the end of its scope: an
// early return, a break, an explicit throw, or an exception from a call in a
// try block that skips the join. ~thread() then calls std::terminate.
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

struct Config {
  std::string path;
  int workers = 1;
  bool valid() const { return !path.empty(); }
};

void index_files(const std::string &path);
bool load_manifest(const std::string &path);
void parse_chunk(int i);
void log_error(const std::string &msg);

// The real-bug shape: a validation added after the thread was started
// returns before the join.
bool rebuild_index(const Config &cfg) {
  std::thread indexer(index_files, cfg.path); // want thread-leak "std::thread 'indexer' is not joined or detached on every path; its destructor calls std::terminate"
  if (!load_manifest(cfg.path))
    return false;                              // want-note "returns here without joining 'indexer'"
  indexer.join();
  return true;
}

class Importer {
public:
  explicit Importer(Config cfg) : cfg_(std::move(cfg)) {}

  int run(const std::vector<int> &chunks) {
    int done = 0;
    for (int c : chunks) {
      std::thread worker([this, c] { parse_chunk(c + offset_); }); // want thread-leak "'worker' is not joined or detached on every path"
      if (c < 0)
        break;                                                   // want-note "leaves the loop here without joining 'worker'"
      worker.join();
      ++done;
    }
    return done;
  }

  void validate_async() {
    std::thread checker([this] { check(); }); // want thread-leak "'checker' is not joined"
    if (!cfg_.valid())
      throw std::invalid_argument("no path"); // want-note "throws here without joining 'checker'"
    checker.join();
  }

  void import_all() {
    std::thread loader([this] { check(); }); // want thread-leak "'loader' is not joined"
    try {
      load_manifest(cfg_.path);              // want-note "an exception thrown here skips the join of 'loader'"
      loader.join();
    } catch (const std::exception &e) {
      log_error(e.what());
    }
  } // want-note "'loader' goes out of scope here without being joined"

private:
  void check() { index_files(cfg_.path); }

  Config cfg_;
  int offset_ = 0;
};

// Never joined at all.
void fire_and_forget(const Config &cfg) {
  std::thread t(index_files, cfg.path); // want thread-leak "std::thread 't' is never joined or detached"
}
