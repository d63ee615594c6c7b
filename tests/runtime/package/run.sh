#!/bin/sh
# Installs tether from BUILD into a temporary prefix, builds the consumer
# project against it with find_package(tether), and runs it statically and
# dynamically linked. Usage: run.sh BUILD_DIR CXX
set -eu
build=$1 cxx=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tether-pkg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
[ -f "$tmp/prefix/lib/cmake/tether/tetherConfig.cmake" ] || { echo "FAIL: no tetherConfig.cmake"; exit 1; }
cmake -S "$here" -B "$tmp/b" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
  -DCMAKE_BUILD_TYPE=Debug >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log"; exit 1; }
cmake --build "$tmp/b" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
for app in app_static app_shared; do
  out=$(env -u LD_PRELOAD LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/b/$app") ||
    { echo "FAIL: $app exited with $?"; exit 1; }
  echo "$out" | grep -q '^thread [0-9]* "parked-worker" \[cond wait, ' ||
    { echo "FAIL: $app: no blocked worker in the dump"; echo "$out"; exit 1; }
  echo "$out" | grep -q '^parkHere()$' ||
    { echo "FAIL: $app: the worker's own frame is missing"; echo "$out"; exit 1; }
  echo "$out" | grep -q 'tether::\|tether_dump\|blockBegin' &&
    { echo "FAIL: $app: the shim's own frames are in the dump"; echo "$out"; exit 1; }
  case $app in
    app_static) ! ldd "$tmp/b/$app" | grep -q libtether_rt || { echo "FAIL: app_static loads libtether_rt.so"; exit 1; } ;;
    app_shared) ldd "$tmp/b/$app" | grep -q libtether_rt || { echo "FAIL: app_shared does not load libtether_rt.so"; exit 1; } ;;
  esac
  echo "ok: $app"
done
