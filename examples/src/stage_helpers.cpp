#include "pipeline.h"

#include <boost/fiber/channel_op_status.hpp>
#include <ctime>

namespace logpipe {

std::size_t abort_input(RawChannel &raw) {
  raw.close();
  std::size_t dropped = 0;
  std::string line;
  while (raw.try_pop(line) == boost::fibers::channel_op_status::success)
    ++dropped;
  return dropped;
}

std::string probe_line() {
  return std::to_string(std::time(nullptr)) +
         " tether-probe selftest ERROR synthetic alert (probe)";
}

std::string format_alert(const LogRecord &rec) {
  return "[" + rec.host + "/" + rec.service + "] " + rec.message;
}

} // namespace logpipe
