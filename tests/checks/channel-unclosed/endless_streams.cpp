// Streams meant to run until the program ends (cpp-channel's examples): an
// endless producer has no last send to close after, and a stage that drains
// an unclosed channel never reaches the end of its loop either. Only the
// first link of a chain that should end is reported. A producer that can
// never be stopped is cancel-missing's finding: give it a stop path.
#include <msd/channel.hpp>
#include <iostream>
#include <thread>
#include <vector>

using chan = msd::channel<long>;

// --- must not flag (channel-unclosed) --------------------------------------

// A [[noreturn]] generator run on a thread: `while (true)` with no way out.
// The attribute says it runs until the process ends: no cancel-missing.
[[noreturn]] void generate(chan &out) {
  long i = 0;
  while (true)
    out << ++i;
}

void print(chan &in) {
  for (auto v : in)
    std::cout << v << '\n';
}

void endless_generator() {
  chan c{4};
  std::thread producer{generate, std::ref(c)};
  std::thread consumer{print, std::ref(c)};
  producer.join();
  consumer.join();
}

// A three-stage stream: the source is endless, so the middle stage's loop
// over 'raw' never ends and a close of 'cooked' after it could never run.
void endless_pipeline() {
  chan raw{8};
  chan cooked{8};
  auto produce = [](chan &out) {
    long i = 0;
    for (;;) // want cancel-missing "loops forever"
      out << ++i;
  };
  auto transform = [](chan &in, chan &out) {
    for (auto v : in)
      out << v * 2;
  };
  std::thread p{produce, std::ref(raw)};
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i)
    workers.emplace_back(transform, std::ref(raw), std::ref(cooked));
  std::thread c{print, std::ref(cooked)};
  p.join();
  for (auto &w : workers)
    w.join();
  c.join();
}

// --- must flag -------------------------------------------------------------

// The same pipeline with a finite source that forgets to close: reported
// once, at the source; the stage after it is the chain's consequence.
void finite_pipeline(const std::vector<long> &input) {
  chan raw{8};
  chan cooked{8};
  std::thread p{[&raw, &input] {
    for (long v : input)
      raw << v; // want channel-unclosed "never closed"
  }};
  std::thread t{[&raw, &cooked] {
    for (auto v : raw)
      cooked << v * 2;
  }};
  std::thread c{print, std::ref(cooked)};
  p.join();
  t.join();
  c.join();
}

// A loop with a way out is not endless: the producer stops after a quota.
void quota_producer() {
  chan out{4};
  std::thread p{[&out] {
    long i = 0;
    while (true) {
      if (++i > 100)
        break;
      out << i; // want channel-unclosed "never closed"
    }
  }};
  print(out);
  p.join();
}
