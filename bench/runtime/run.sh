#!/bin/sh
# Runtime shim overhead: mutex/cv producer-consumer with and without
# libtether_rt, under TSan and under Helgrind; and the time to dump 10,000
# blocked threads. Prints numbers and ratios; asserts nothing.
# Usage: bench/runtime/run.sh [BUILD_DIR]   (default: build-rt)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build-rt}
lib=$(cd "$build" && pwd)/runtime/libtether_rt.so
[ -f "$lib" ] || { echo "build libtether_rt first ($lib missing)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CXX=${CXX:-clang++-19}
$CXX -O2 -g -pthread "$here/pc_bench.cpp" -o "$tmp/pc"
$CXX -O2 -g -fsanitize=thread -pthread "$here/pc_bench.cpp" -o "$tmp/pc_tsan"
$CXX -O2 -g -pthread "$here/dump_bench.cpp" -o "$tmp/dump" -ldl
items=${ITEMS:-1000000}
best() { # best of 3 runs of "$@" (items/s)
  b=0
  for _ in 1 2 3; do
    v=$("$@")
    [ "$v" -gt "$b" ] && b=$v
  done
  echo "$b"
}
base=$(best "$tmp/pc" "$items")
shim=$(best env LD_PRELOAD="$lib" "$tmp/pc" "$items")
tsan=$(best "$tmp/pc_tsan" "$items")
echo "producer-consumer items/s: plain $base, tether $shim, tsan $tsan"
awk -v b="$base" -v s="$shim" -v t="$tsan" 'BEGIN {
  printf "tether overhead: %+.1f%% (slowdown x%.3f)\n", (b/s-1)*100, b/s
  printf "tsan slowdown: x%.2f\n", b/t }'
if command -v valgrind >/dev/null 2>&1; then
  small=$((items / 50))
  hb=$("$tmp/pc" "$small")
  hg=$(valgrind --tool=helgrind -q "$tmp/pc" "$small" 2>/dev/null)
  awk -v b="$hb" -v h="$hg" 'BEGIN { printf "helgrind slowdown: x%.1f (on %s)\n", b/h, "'"$small"' items" }'
fi
LD_PRELOAD="$lib" "$tmp/dump" 10000
