// `tether check FILES -- COMMAND`: COMMAND may be plain compiler flags or a
// whole compiler command, as CMake passes it through CMAKE_CXX_CLANG_TIDY
// (`c++ -DX -Iinc -o file.o -c file.cpp`) or as it is copied from a build log.
#pragma once

#include "llvm/ADT/ArrayRef.h"

#include <string>
#include <vector>

namespace tether {

// The flags of Command without what names the compilation rather than the
// way to compile, as clang-tidy strips them:
//  - the leading program words (`/usr/bin/c++`, `ccache g++`): every word
//    before the first option that is not a source file;
//  - `-c`, the output (`-o X`, `-oX`, `--output=X`) and the input files
//    (positional arguments; `@response` files are kept): the file to
//    analyse is the one named before `--`.
// Every other argument is kept as written, in its order. Options are
// recognised with clang's driver option table, so an option's separate value
// (`-I inc`, `-include x.h`, `-Xclang -o`) is never taken for a file.
std::vector<std::string>
flagsFromCompilerCommand(llvm::ArrayRef<std::string> Command);

} // namespace tether
