// The close is found through the link phase and reported at the call in the
// worker that leads to it, with a note at the close inside finish_batch().
#include "batch.h"
#include <thread>

void run_batches(Results &out, const std::vector<std::vector<int>> &batches) {
  std::vector<std::thread> workers;
  for (std::size_t w = 0; w < batches.size(); ++w)
    workers.emplace_back([&out, &batches, w] {  // want-note "senders started here"  want thread-unbounded-spawn "parameter 'batches' of 'run_batches', whose size comes from its callers"
      for (int v : batches[w])
        out.push(v);  // want-note "concurrent send"
      finish_batch(out, static_cast<int>(w));  // want channel-close-with-active-senders "each of several concurrent senders"
    });
  for (auto &t : workers)
    t.join();
}
