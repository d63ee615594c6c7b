#include "jobs.h"

void dispatch_forever(JobQueue &q) {
  while (true)
    q.push(next_request());
}

void dispatch_batch(JobQueue &q, int n) {
  for (int i = 0; i < n; ++i)
    q.push(next_request());
}
