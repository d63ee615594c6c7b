// Reading compile_commands.json strictly, the way clang-tidy resolves it.
#pragma once

#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/Support/VirtualFileSystem.h"

#include <memory>
#include <string>

namespace tether {

// The real file system as tether's inputs see it: a file that is not a
// regular file (a FIFO, /dev/zero) or is larger than MaxBytes cannot be
// opened, so that "#include </dev/zero>" or "@/dev/stdin" in a compile
// command fails at once instead of hanging.
llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem>
guardedRealFileSystem(uint64_t MaxBytes = uint64_t(1) << 30);

// Loads the database at Path (a regular file, at most MaxDatabaseBytes):
//  - strict JSON: trailing text, comments or nesting deeper than
//    MaxNestingDepth are errors with "path:line:col";
//  - every entry an object with string "directory" and "file" and either
//    "arguments" (strings) or "command";
//  - a relative "directory" is resolved against the database's folder (not
//    the current directory);
//  - "@file" response files are expanded relative to the entry's directory.
// On failure returns null with Error set to one line.
std::unique_ptr<clang::tooling::CompilationDatabase>
loadCompileDatabase(const std::string &Path, std::string &Error);

// The same on the database's text; Path names it and its folder.
std::unique_ptr<clang::tooling::CompilationDatabase>
parseCompileDatabase(const std::string &Text, const std::string &Path,
                     std::string &Error);

} // namespace tether
