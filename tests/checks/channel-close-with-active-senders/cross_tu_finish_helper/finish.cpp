#include "batch.h"

void finish_batch(Results &out, int worker) {
  out.push(-worker);
  out.close();  // want-note "in 'finish_batch'"
}
