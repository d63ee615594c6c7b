// libFuzzer target: a compilation database (compile_commands.json), read
// and then asked for every command as the driver does.
#include "CompileDatabase.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  std::string Text(reinterpret_cast<const char *>(Data), Size), Error;
  auto DB = tether::parseCompileDatabase(
      Text, "/nonexistent-fuzz-dir/compile_commands.json", Error);
  if (DB)
    for (const std::string &F : DB->getAllFiles())
      (void)DB->getCompileCommands(F);
  return 0;
}
