// libFuzzer target: an API model file (models/*.yaml, model_files:).
#include "ApiModel.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  std::string Text(reinterpret_cast<const char *>(Data), Size);
  (void)tether::parseModel(Text, "fuzz.yaml", llvm::nulls());
  return 0;
}
