// Typed reading of check options. Every option is declared by the check it
// belongs to (CheckInfo::Options: name, type, default, description); the
// config loader rejects unknown keys and malformed values, so a check reads
// a value that parses, or the declared default. Name lists are globs
// (llvm::GlobPattern), matched the same way by every check.
#pragma once

#include "AnalysisContext.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/GlobPattern.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tether {

// A name list option: comma-separated globs.
class NameGlobs {
public:
  NameGlobs() = default;
  // Parses "a, b*, ns::C::*"; returns false on an invalid glob.
  bool parse(llvm::StringRef List, std::string *Error = nullptr);
  bool empty() const { return Patterns.empty(); }
  bool matches(llvm::StringRef Name) const;
  bool matchesAny(llvm::ArrayRef<std::string> Names) const;

private:
  std::vector<llvm::GlobPattern> Patterns;
};

// The option Check.Name, which Check must declare (a check may read
// another check's option, e.g. a shared list of daemons, by naming it).
// Reading an undeclared option is a programming error and aborts.
bool boolOption(const CheckOptions &O, llvm::StringRef Check,
                llvm::StringRef Name);
uint64_t intOption(const CheckOptions &O, llvm::StringRef Check,
                   llvm::StringRef Name);
NameGlobs globsOption(const CheckOptions &O, llvm::StringRef Check,
                      llvm::StringRef Name);

} // namespace tether
