// libFuzzer target: a baseline file (--baseline).
#include "Output.h"

#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  std::string Text(reinterpret_cast<const char *>(Data), Size), Error;
  std::vector<std::string> FPs;
  (void)tether::parseBaseline(Text, "fuzz.json", FPs, Error);
  return 0;
}
