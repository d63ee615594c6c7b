#include "feed.h"

int read_until_negative(Feed &feed) {
  int sum = 0, v = 0;
  while (feed.pop(v) == boost::fibers::channel_op_status::success) {
    if (v < 0) {
      feed.close(); // want channel-receiver-close "only receives from it"
      break;
    }
    sum += v;
  }
  return sum;
}

int read_n(Feed &feed, int n) {
  int sum = 0;
  for (int i = 0; i < n; ++i) {
    int v = 0;
    feed.pop(v);
    sum += v;
  }
  return sum;
}
