#include "watchdog.h"

int main() {
  Watchdog dog(std::chrono::milliseconds(100));
  for (int i = 0; i < 10; ++i) {
    dog.pet();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return 0;
}
