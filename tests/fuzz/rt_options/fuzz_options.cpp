// libFuzzer target: arbitrary bytes as TETHER_OPTIONS, through the shim's
// own parser (runtime/src/options.cpp, compiled in as is). Besides crashes
// and sanitizer reports it checks the parser's promises: every message is
// one printable line, at most 17 messages, and the options it leaves are
// within their documented ranges.
#include "rt.h"

#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <string>

using namespace tether::rt;

namespace {
void check(bool ok) {
  if (!ok)
    abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // An environment variable ends at its first NUL, like this string.
  std::string text(reinterpret_cast<const char *>(data), size);
  Options o;
  size_t messages = 0;
  bool ok = parseOptions(text.c_str(), o, [&](const std::string &m) {
    ++messages;
    check(!m.empty() && m.size() < 512);
    for (char c : m)
      check(static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f);
  });
  check(ok == (messages == 0));
  check(messages <= 17);
  constexpr uint64_t ms = 1000000ull, hour = 3600ull * 1000000000ull;
  check(o.check_interval_ns >= ms && o.check_interval_ns <= hour);
  check(o.stuck_after_ns >= ms && o.stuck_after_ns <= 1000 * hour);
  check(o.stack_signal == 0 || (o.stack_signal >= SIGRTMIN && o.stack_signal <= SIGRTMAX));
  check(o.deadlock >= 0 && o.deadlock <= 2);
  check(o.lock_order >= 0 && o.lock_order <= 2);
  check(o.eager_stacks >= 0 && o.eager_stacks <= 2);
  check(o.verbosity >= 0 && o.verbosity <= 9);
  check(o.exitcode >= 0 && o.exitcode <= 255);
  check(o.history <= (size_t(1) << 22));
  check(o.output.size() < 4096 && o.models.size() < 4096);
  for (auto *list : {&o.ignore_top, &o.ignore_created_by, &o.ignore_name})
    for (auto &p : *list)
      check(!p.empty());
  // The same text parsed twice gives the same options.
  Options again;
  parseOptions(text.c_str(), again, nullptr);
  check(again.output == o.output && again.format == o.format &&
        again.stuck_after_ns == o.stuck_after_ns && again.stack_signal == o.stack_signal &&
        again.ignore_name == o.ignore_name);
  return 0;
}
