#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite with CTest.
# Then builds the parts whose build differs by compiler with the system's
# default compiler (g++ on Debian) too; see build_with_default_compiler.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${TETHER_BUILD_DIR:-$here/build}
"$here/scripts/setup.sh"
"$here/scripts/build.sh"

# `cmake -S . -B DIR -G Ninja` with no compiler named must build. What is
# compiler-specific is the runtime (DWARF flags, Clang's section pragma) and
# its test programs (-gdwarf-aranges, objcopy with GCC); they are built with
# the default compiler, with tether-report (no LLVM) and tether-modelgen
# (which the runtime's build runs). The analyzer's sources are plain C++20
# with the same flags under both compilers; TETHER_GCC_BUILD=all builds every
# target (a cold build of the analyzer doubles the build time on two cores;
# with a warm ccache both take seconds).
build_with_default_compiler() {
  local dir=${TETHER_GCC_BUILD_DIR:-$build-gcc}
  if [ ! -f "$dir/build.ninja" ]; then
    mkdir -p "$dir"
    env -u CC -u CXX cmake -S "$here" -B "$dir" -G Ninja >"$dir/configure.log" 2>&1 ||
      { cat "$dir/configure.log"; echo "test.sh: configuring with the default compiler failed" >&2; return 1; }
  fi
  local targets=(tether_rt tether_rt_static tether-report tether-modelgen
                 tether_rt_programs_test tether_rt_leaks_test tether_rt_torture_test)
  [ "${TETHER_GCC_BUILD:-}" = all ] && targets=(all)
  CCACHE_BASEDIR="$here" CCACHE_NOHASHDIR=1 cmake --build "$dir" -j "$(nproc)" --target "${targets[@]}"
}

export TETHER_REQUIRE_SARIF_VALIDATOR=1
status=0
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" "$@" || status=$?
echo "test.sh: building with the default compiler ($(c++ --version | head -1))"
build_with_default_compiler || status=1
exit $status
