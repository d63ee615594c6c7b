#!/usr/bin/env bash
# Task registry scale: begin/end cost and the dump of 1,000,000 tasks
# (task_bench.cpp), linked with the build's libtether_rt. Prints numbers.
# Usage: bench/runtime/tasks.sh [BUILD_DIR] [TASKS]   (default: build/, 1000000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
lib=$build/runtime/libtether_rt.so
[ -f "$lib" ] || { echo "build libtether_rt first ($lib missing)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${CXX:-clang++-19} -O2 -g -pthread -I"$here/../../runtime/include" "$here/task_bench.cpp" \
  -o "$tmp/task_bench" -L"$build/runtime" -Wl,--no-as-needed -ltether_rt -Wl,-rpath,"$build/runtime"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$tmp/task_bench" "${2:-1000000}"
