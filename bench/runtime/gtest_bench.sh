#!/usr/bin/env bash
# The GoogleTest leak checker on a clean suite: 200 tests that start and
# join threads (gtest_clean.cpp), RUNS times (default 100) each way,
# interleaved: plain gtest, the same binary with libtether_rt (no checks),
# and with tether::testing::VerifyTestMain (a leak check after every test).
# Prints the failures (a flake is any nonzero exit) and the median wall time
# per run; asserts nothing.
# Usage: bench/runtime/gtest_bench.sh [BUILD_DIR]     Env: RUNS (100)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
lib=$(cd "$build" && pwd)/runtime/libtether_rt.so
[ -f "$lib" ] || { echo "build libtether_rt first ($lib missing)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CXX=${CXX:-clang++-19}
runs=${RUNS:-100}
inc=$here/../../runtime/include
$CXX -O0 -g -pthread "$here/gtest_clean.cpp" -o "$tmp/plain" -lgtest
$CXX -O0 -g -pthread -DWITH_TETHER -I"$inc" "$here/gtest_clean.cpp" -o "$tmp/checked" \
  -Wl,--no-as-needed "$lib" -Wl,-rpath,"$(dirname "$lib")" -lgtest
one() { # NAME CMD...: appends the wall time in ms to NAME.ms, counts failures
  local name=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  if ! "$@" >"$tmp/out" 2>&1; then
    echo "$name: run failed" >&2
    tail -20 "$tmp/out" >&2
    echo 1 >> "$tmp/$name.fail"
  fi
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000)) | awk '{ printf "%.3f\n", $1 / 1000 }' >> "$tmp/$name.ms"
}
for ((r = 0; r < runs; r++)); do
  one plain "$tmp/plain"
  one shim env LD_PRELOAD="$lib" "$tmp/plain"
  one checked "$tmp/checked"
done
stats() {
  sort -g "$1" | awk '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.1f %.1f %.1f\n", m, v[1], v[NR] }'
}
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "clean gtest suite, 200 tests starting and joining 5 threads each, $runs interleaved runs:"
for s in plain shim checked; do
  read -r m lo hi < <(stats "$tmp/$s.ms")
  f=0; [ -f "$tmp/$s.fail" ] && f=$(wc -l < "$tmp/$s.fail")
  case $s in
    plain) d="plain gtest" ;;
    shim) d="libtether_rt, no checks" ;;
    checked) d="VerifyTestMain (per-test checks)" ;;
  esac
  printf '  %-34s median %8.1f ms per run (%s..%s), failed runs: %d/%d\n' "$d" "$m" "$lo" "$hi" "$f" "$runs"
done
p=$(stats "$tmp/plain.ms" | cut -d' ' -f1); s=$(stats "$tmp/shim.ms" | cut -d' ' -f1)
c=$(stats "$tmp/checked.ms" | cut -d' ' -f1)
awk -v p="$p" -v s="$s" -v c="$c" 'BEGIN {
  printf "  added by the checks: %+.1f ms per run (%+.3f ms per test); by the shim and checks: %+.1f ms\n", c - s, (c - s) / 200, c - p }'
