#include "jobs.h"

int main() {
  Jobs jobs;
  for (int i = 0; i < 4; ++i)
    jobs.start([&jobs] { jobs.flushAll(); });
  return 0;
}
