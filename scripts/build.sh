#!/usr/bin/env bash
# Configures (once) and builds tether into build/ with Ninja (and ccache).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${TETHER_BUILD_DIR:-$here/build}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$here" -B "$build" -G Ninja \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
# ccache: hits across clones of the repository (a CI checkout, a second
# worktree) as long as the sources are the same.
export CCACHE_BASEDIR="$here" CCACHE_NOHASHDIR=1
cmake --build "$build" -j "$(nproc)"
