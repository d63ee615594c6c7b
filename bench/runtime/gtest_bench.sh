#!/usr/bin/env bash
# The GoogleTest leak checker on a clean suite: 200 tests that start and
# join threads (gtest_clean.cpp), RUNS times (default 100) each way,
# interleaved: plain gtest, the same binary with libtether_rt (no checks),
# and with tether::testing::VerifyTestMain (a leak check after every test).
# Prints the failures (a flake is any nonzero exit) and, per run, the median
# wall time of the process, its CPU time (user + system: steadier than wall
# time on a loaded machine) and the time GoogleTest reports for the tests
# themselves (without process start and exit); asserts nothing.
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
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package time)"; exit 1; }
one() { # NAME CMD...: appends wall, CPU and gtest times in ms to NAME.{ms,cpu,gt}, counts failures
  local name=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  if ! /usr/bin/time -f '%U %S' -o "$tmp/time" "$@" >"$tmp/out" 2>&1; then
    echo "$name: run failed" >&2
    tail -20 "$tmp/out" >&2
    echo 1 >> "$tmp/$name.fail"
  fi
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000)) | awk '{ printf "%.3f\n", $1 / 1000 }' >> "$tmp/$name.ms"
  tail -1 "$tmp/time" | awk '{ printf "%.1f\n", ($1 + $2) * 1000 }' >> "$tmp/$name.cpu"
  sed -n 's/^\[==========\] 200 tests from .* ran\. (\([0-9]*\) ms total)$/\1/p' "$tmp/out" >> "$tmp/$name.gt"
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
  f=0; [ -f "$tmp/$s.fail" ] && f=$(wc -l < "$tmp/$s.fail")
  case $s in
    plain) d="plain gtest" ;;
    shim) d="libtether_rt, no checks" ;;
    checked) d="VerifyTestMain (per-test checks)" ;;
  esac
  printf '  %-34s failed runs: %d/%d\n' "$d" "$f" "$runs"
  for k in ms cpu gt; do
    case $k in ms) w="wall" ;; cpu) w="CPU" ;; gt) w="gtest's total" ;; esac
    read -r m lo hi < <(stats "$tmp/$s.$k")
    printf '    %-14s median %8.1f ms per run (%s..%s)\n' "$w" "$m" "$lo" "$hi"
  done
done
for k in ms cpu gt; do
  p=$(stats "$tmp/plain.$k" | cut -d' ' -f1); s=$(stats "$tmp/shim.$k" | cut -d' ' -f1)
  c=$(stats "$tmp/checked.$k" | cut -d' ' -f1)
  awk -v k="$k" -v p="$p" -v s="$s" -v c="$c" 'BEGIN {
    w = k == "ms" ? "wall" : k == "cpu" ? "CPU" : "gtest total"
    printf "  %-12s added by the checks: %+.1f ms per run (%+.3f ms per test); by the shim and checks: %+.1f ms\n", w, c - s, (c - s) / 200, c - p }'
done
