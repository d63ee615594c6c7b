#include "crawler.h"

#include <chrono>
#include <future>

// No token here: the owner's waits are not this check's business.
int main(int argc, char **argv) {
  Crawler crawler(4);
  for (int i = 1; i < argc; ++i)
    crawler.seed(argv[i]);
  auto done = std::async(std::launch::async, [] {
    std::this_thread::sleep_for(std::chrono::seconds(30));
  });
  done.get();
  crawler.pause();
  crawler.resume();
  return 0;
}
