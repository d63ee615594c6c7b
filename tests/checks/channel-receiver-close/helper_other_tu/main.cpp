// The producer is here; the readers that close (or not) are in readers.cpp.
#include "feed.h"

#include <thread>

int stop_early() {
  Feed feed{16};
  std::thread producer([&feed] {
    for (int i = 5; i > -5; --i)
      feed.push(i); // want-note "the producer sends"
  });
  int sum = read_until_negative(feed); // want-note "in the call to .read_until_negative. here"
  producer.join();
  return sum;
}

int read_some() {
  Feed feed{16};
  std::thread producer([&feed] {
    for (int i = 0; i < 8; ++i)
      feed.push(i);
    feed.close();
  });
  int sum = read_n(feed, 8);
  producer.join();
  return sum;
}

int main() { return stop_early() + read_some(); }
