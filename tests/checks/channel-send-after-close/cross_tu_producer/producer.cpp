#include "feed.h"

void produce_quotes(Quotes &out, int n) {
  for (int i = 0; i < n; ++i)
    out.push("EURUSD " + std::to_string(i));  // want channel-send-after-close "not joined before the close"
}
