// libFuzzer target: a .tether.yaml config (with embedded models).
#include "Config.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  std::string Text(reinterpret_cast<const char *>(Data), Size);
  tether::Config C;
  // model_files resolve below a directory that does not exist: nothing is
  // read from disk.
  (void)tether::parseConfig(Text, "/nonexistent-fuzz-dir/.tether.yaml", C,
                            llvm::nulls());
  return 0;
}
