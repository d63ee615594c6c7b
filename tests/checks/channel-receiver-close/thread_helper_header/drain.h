#pragma once
#include <boost/fiber/buffered_channel.hpp>

#include <string>
#include <vector>

using Lines = boost::fibers::buffered_channel<std::string>;

// Collects lines until an empty one, then closes the channel "to tell the
// producer to stop": the producer's next push fails silently.
inline std::vector<std::string> collect_until_blank(Lines &in) {
  std::vector<std::string> out;
  std::string s;
  while (in.pop(s) == boost::fibers::channel_op_status::success) {
    if (s.empty()) {
      in.close(); // want channel-receiver-close "only receives from it"
      break;
    }
    out.push_back(s);
  }
  return out;
}

// Collects exactly n lines; never closes.
inline std::vector<std::string> collect_n(Lines &in, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    std::string s;
    if (in.pop(s) != boost::fibers::channel_op_status::success)
      break;
    out.push_back(s);
  }
  return out;
}
