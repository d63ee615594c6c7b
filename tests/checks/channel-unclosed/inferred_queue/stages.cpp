// An extract-transform-load pipeline built on the project's own queue,
// with no .tether.yaml: the stage that forgets to close its output queue
// leaves the next stage (and whoever joins it) waiting forever.
#include "blocking_queue.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

struct Record {
  std::string key;
  double value = 0;
};

std::vector<std::string> read_rows(const std::string &file);
Record parse(const std::string &row);
void store(const Record &r);

// --- must flag -------------------------------------------------------------

// The extract stage pushes every parsed row and returns without close().
void load_file(const std::string &file) {
  auto parsed = std::make_shared<etl::BlockingQueue<Record>>();
  std::thread extract([parsed, file] {
    for (const std::string &row : read_rows(file))
      parsed->push(parse(row)); // want channel-unclosed "inferred to be a channel.*never closed after this send"
  });
  Record r;
  while (parsed->pop(r))
    store(r);
  extract.join();
}

// A stage object whose worker drains its inbox; no member closes it.
class Loader {
public:
  Loader() {
    worker_ = std::thread([this] {
      Record r;
      while (inbox_.pop(r)) // want channel-unclosed "no member function of its class closes it"
        store(r);
    });
  }
  void feed(Record r) { inbox_.push(std::move(r)); }
  ~Loader() { worker_.join(); }

private:
  etl::BlockingQueue<Record> inbox_;
  std::thread worker_;
};

// --- must not flag ---------------------------------------------------------

void load_file_closed(const std::string &file) {
  auto parsed = std::make_shared<etl::BlockingQueue<Record>>();
  std::thread extract([parsed, file] {
    for (const std::string &row : read_rows(file))
      parsed->push(parse(row));
    parsed->close();
  });
  Record r;
  while (parsed->pop(r))
    store(r);
  extract.join();
}

class ClosingLoader {
public:
  ClosingLoader() {
    worker_ = std::thread([this] {
      Record r;
      while (inbox_.pop(r))
        store(r);
    });
  }
  void feed(Record r) { inbox_.push(std::move(r)); }
  ~ClosingLoader() {
    inbox_.close();
    worker_.join();
  }

private:
  etl::BlockingQueue<Record> inbox_;
  std::thread worker_;
};

void run_loaders() {
  Loader a;
  a.feed({"k", 1});
  ClosingLoader b;
  b.feed({"k", 2});
}
