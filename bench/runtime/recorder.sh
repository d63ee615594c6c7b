#!/usr/bin/env bash
# Flight recorder cost by ring size: CPU nanoseconds per blocking episode
# (two events) with history=0 (off) and several history=N, on one thread and
# on two at once (the ring's head is shared), interleaved rounds, medians.
# What the recorder costs in a real workload: bench/runtime/run.sh (the
# producer-consumer benchmark prints "flight recorder ..." lines).
# Usage: bench/runtime/recorder.sh [BUILD_DIR]   Env: ROUNDS (5), PAIRS (2000000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
lib=$build/runtime/libtether_rt.so
[ -f "$lib" ] || { echo "build libtether_rt first ($lib missing)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${CXX:-clang++-19} -O2 -pthread -I"$here/../../runtime/include" "$here/event_bench.cpp" \
  -o "$tmp/event_bench" -L"$build/runtime" -Wl,--no-as-needed -ltether_rt -Wl,-rpath,"$build/runtime"
rounds=${ROUNDS:-5}
pairs=${PAIRS:-2000000}
sizes=(0 256 1024 4096 8192 16384 65536 262144)
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 0; r < rounds; r++)); do
  for h in "${sizes[@]}"; do
    for t in 1 2; do
      TETHER_OPTIONS=history=$h "$tmp/event_bench" "$t" "$pairs" >> "$tmp/h$h-t$t"
    done
  done
done
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "CPU ns per blocking episode (block + unblock), median of $rounds rounds:"
printf '  %-10s %12s %12s %16s\n' history "1 thread" "2 threads" "ring (bytes)"
for h in "${sizes[@]}"; do
  slots=1; while ((slots < h)); do slots=$((slots * 2)); done
  printf '  %-10s %12s %12s %16s\n' "$h" "$(median "$tmp/h$h-t1")" "$(median "$tmp/h$h-t2")" \
    "$((h == 0 ? 0 : slots * 128))"
done
