// The worker ignores its stop token either way; whether the jthread's
// destructor (request_stop, then a join that never returns) is ever reached
// depends on whether the function that owns it returns.
#include "jobs.h"

#include <stop_token>
#include <thread>

JobQueue g_jobs;

// The owner never returns (dispatch_forever, in another file, loops
// forever): ~jthread never runs, so no join hangs. The token is still
// ignored.
int main() {
  std::jthread worker([](std::stop_token) { // want-note "stop token ignored here"
    for (;;) { // want cancel-missing "blocking cond wait.*the stop token is never checked$"
      Job j = g_jobs.pop();
      run(j);
    }
  });
  dispatch_forever(g_jobs);
}

// This owner returns after the batch: the destructor's join hangs.
void run_batch(int n) {
  std::jthread worker([](std::stop_token) { // want-note "stop token ignored here"
    for (;;) { // want cancel-missing "the stop token is never checked, and the destructor's join will hang"
      Job j = g_jobs.pop();
      run(j);
    }
  });
  dispatch_batch(g_jobs, n);
}
