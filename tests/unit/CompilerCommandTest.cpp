// flagsFromCompilerCommand (tool/CompilerCommand.cpp): the commands CMake's
// CMAKE_CXX_CLANG_TIDY passes after `--`, build-log commands, plain flags.
#include "CompilerCommand.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using tether::flagsFromCompilerCommand;
using V = std::vector<std::string>;

TEST(CompilerCommand, CMakeNinjaCommandKeepsOnlyTheFlags) {
  // What `cmake -E __run_co_compile` hands to the tidy command (Ninja, GCC).
  V Cmd{"/usr/bin/c++", "-DJOBS_SHARED", "-I/src/include", "-isystem", "/opt/dep/include",
        "-g", "-std=gnu++17", "-MD", "-MT", "CMakeFiles/jobs.dir/src/flush.cpp.o", "-MF",
        "CMakeFiles/jobs.dir/src/flush.cpp.o.d", "-o", "CMakeFiles/jobs.dir/src/flush.cpp.o",
        "-c", "/src/src/flush.cpp"};
  EXPECT_EQ(flagsFromCompilerCommand(Cmd),
            (V{"-DJOBS_SHARED", "-I/src/include", "-isystem", "/opt/dep/include", "-g",
               "-std=gnu++17", "-MD", "-MT", "CMakeFiles/jobs.dir/src/flush.cpp.o", "-MF",
               "CMakeFiles/jobs.dir/src/flush.cpp.o.d"}));
}

TEST(CompilerCommand, LaunchersAndJoinedOutputAreDropped) {
  V Cmd{"ccache", "clang++-19", "-O2", "-oout/a.o", "-c", "a.cc", "-Wall"};
  EXPECT_EQ(flagsFromCompilerCommand(Cmd), (V{"-O2", "-Wall"}));
  V Long{"g++", "--output=x.o", "-c", "x.cxx", "-DX=1"};
  EXPECT_EQ(flagsFromCompilerCommand(Long), (V{"-DX=1"}));
}

TEST(CompilerCommand, PlainFlagsAreKeptAsGiven) {
  V Flags{"-std=c++20", "-I", "inc", "-include", "config.h", "-DNAME=a b"};
  EXPECT_EQ(flagsFromCompilerCommand(Flags), Flags);
  EXPECT_EQ(flagsFromCompilerCommand(V{}), V{});
}

TEST(CompilerCommand, SeparateValuesAreNeverTakenForFilesOrOutputs) {
  // `-include x.h` and `-Xclang -o` carry a value that looks like an input or
  // an output option; `-x c++` names the language of the inputs.
  V Cmd{"c++", "-include", "pch.hpp", "-Xclang", "-o", "-x", "c++", "-c", "main.cpp",
        "-o", "main.o"};
  EXPECT_EQ(flagsFromCompilerCommand(Cmd), (V{"-include", "pch.hpp", "-Xclang", "-o", "-x", "c++"}));
}

TEST(CompilerCommand, ResponseFilesAndUnknownOptionsAreKept) {
  V Cmd{"/usr/bin/g++", "@CMakeFiles/app.dir/includes_CXX.rsp", "-fno-semantic-interposition",
        "-fsome-future-gcc-flag", "-c", "app.cpp"};
  EXPECT_EQ(flagsFromCompilerCommand(Cmd),
            (V{"@CMakeFiles/app.dir/includes_CXX.rsp", "-fno-semantic-interposition",
               "-fsome-future-gcc-flag"}));
}

TEST(CompilerCommand, ASourceFirstIsNotTakenForTheCompiler) {
  V Cmd{"main.cpp", "-DX"};
  EXPECT_EQ(flagsFromCompilerCommand(Cmd), (V{"-DX"}));
}

TEST(CompilerCommand, AnOptionMissingItsValueIsLeftForTheCompiler) {
  V Cmd{"c++", "-DX", "-I"};
  EXPECT_EQ(flagsFromCompilerCommand(Cmd), (V{"-DX", "-I"}));
}
