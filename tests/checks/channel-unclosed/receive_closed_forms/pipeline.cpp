// Receive loops written the modern way, one per closed form of the model:
// an empty optional, a thrown queue_closed, a false bool, a status enum.
// Each producer that forgets close() leaves its consumer waiting forever.
#include "work_queue.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

struct Line {
  int no = 0;
  std::string text;
};

std::vector<Line> read_lines(const std::string &path);
void index_line(const Line &l);

// --- must flag -------------------------------------------------------------

// `while (auto v = q.pop())`: pop() returns an empty optional once closed.
int index_file(const std::string &path) {
  auto lines = std::make_shared<acme::WorkQueue<Line>>();
  std::thread reader([lines, path] {
    for (Line &l : read_lines(path))
      lines->push(std::move(l)); // want channel-unclosed "never closed after this send"
    // forgot: lines->close();
  });
  int n = 0;
  while (auto l = lines->pop()) {
    index_line(*l);
    ++n;
  }
  reader.join();
  return n;
}

// pull() throws queue_closed at the end; the consumer catches it to stop.
int sum_pulled(const std::vector<int> &xs) {
  acme::WorkQueue<int> q;
  std::thread producer([&q, &xs] {
    for (int x : xs)
      q.push(x); // want channel-unclosed "never closed after this send"
  });
  int sum = 0;
  for (;;) {
    int v = 0;
    try {
      q.pull(v);
    } catch (const acme::queue_closed &) {
      break;
    }
    sum += v;
  }
  producer.join();
  return sum;
}

// read() returns false at the end: `if (!q.read(v)) break;`.
struct Totals {
  long bytes = 0;
  int files = 0;
};
Totals total_sizes(const std::vector<long> &sizes) {
  acme::WorkQueue<long> q;
  Totals t;
  std::thread consumer([&q, &t] {
    for (;;) {
      long v = 0;
      if (!q.read(v))
        break;
      t.bytes += v;
      ++t.files;
    }
  });
  for (long s : sizes)
    q.push(s); // want channel-unclosed "never closed after this send"
  consumer.join();
  return t;
}

// wait_pop() returns a status; the consumer keeps it and tests it.
int count_events(int n) {
  acme::WorkQueue<int> events;
  std::thread producer([&events, n] {
    for (int i = 0; i < n; ++i)
      events.push(i); // want channel-unclosed "never closed after this send"
  });
  int count = 0;
  for (;;) {
    int e = 0;
    acme::queue_status st = events.wait_pop(e);
    if (st == acme::queue_status::closed)
      break;
    ++count;
  }
  producer.join();
  return count;
}

// --- must not flag ---------------------------------------------------------

int index_file_closed(const std::string &path) {
  auto lines = std::make_shared<acme::WorkQueue<Line>>();
  std::thread reader([lines, path] {
    for (Line &l : read_lines(path))
      lines->push(std::move(l));
    lines->close();
  });
  int n = 0;
  while (auto l = lines->pop()) {
    index_line(*l);
    ++n;
  }
  reader.join();
  return n;
}

int sum_pulled_closed(const std::vector<int> &xs) {
  acme::WorkQueue<int> q;
  std::thread producer([&q, &xs] {
    for (int x : xs)
      q.push(x);
    q.close();
  });
  int sum = 0;
  for (;;) {
    int v = 0;
    try {
      q.pull(v);
    } catch (const acme::queue_closed &) {
      break;
    }
    sum += v;
  }
  producer.join();
  return sum;
}

// The loop around the receive also ends after a fixed count: it does not
// wait for the close.
int first_values(const std::vector<int> &xs, int want) {
  acme::WorkQueue<int> q;
  std::thread producer([&q, &xs] {
    for (int x : xs)
      q.push(x);
  });
  int got = 0;
  while (auto v = q.pop()) {
    if (++got == want)
      break;
  }
  producer.join();
  return got;
}

// The handler does not leave the loop: a closed queue is retried, which is
// another bug (a spin), not a wait for the close.
int pull_ignoring_close(const std::vector<int> &xs, int want) {
  acme::WorkQueue<int> q;
  std::thread producer([&q, &xs] {
    for (int x : xs)
      q.push(x);
  });
  int got = 0;
  for (int i = 0; i < want; ++i) {
    int v = 0;
    try {
      q.pull(v);
      ++got;
    } catch (const acme::queue_closed &) {
    }
  }
  producer.join();
  return got;
}

// A close-less mailbox: consumers end on a null message, the poison pill.
struct Msg {
  int id = 0;
};
void handle(const Msg &);
void serve_mailbox(int n) {
  acme::Mailbox<Msg> box;
  std::thread consumer([&box] {
    for (;;) {
      auto m = box.take();
      if (m == nullptr)
        break;
      handle(*m);
    }
  });
  for (int i = 0; i < n; ++i)
    box.post(std::make_unique<Msg>(Msg{i}));
  box.post(nullptr);
  consumer.join();
}
