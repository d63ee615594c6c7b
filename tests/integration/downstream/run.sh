#!/bin/sh
# Installs tether from BUILD into a temporary prefix, configures the
# downstream project (this folder) against it with find_package(tether),
# builds it, and runs its tether_add_check() targets: `jobs-tether` must fail
# with the finding in src/flush.cpp, `app-tether` must succeed. Then builds
# it with CMAKE_CXX_CLANG_TIDY="tether;check": the finding fails the compile
# of src/flush.cpp, and with --exit-zero only shows in the build log.
# Usage: run.sh BUILD_DIR CXX
set -eu
build=$1 cxx=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tether-downstream.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
# The result cache's default place, inside the test's directory.
export XDG_CACHE_HOME=$tmp/cache
fail() { echo "FAIL: $*"; exit 1; }

cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log"; fail "cmake --install"; }
for f in bin/tether bin/tether-report bin/tether-modelgen lib/libtether_rt.so lib/libtether_rt.a \
         include/tether/tether.h share/tether/models/std.yaml \
         share/doc/tether/checks/lock-held-across-blocking.md \
         lib/cmake/tether/tetherConfig.cmake lib/cmake/tether/tetherConfigVersion.cmake \
         lib/cmake/tether/tetherAddCheck.cmake; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
# The installed tool runs from the prefix (its libraries found without the
# build tree) and every built-in check has its installed page.
"$prefix/bin/tether" --version >/dev/null || fail "installed tether does not run"
"$prefix/bin/tether" check --list-checks >"$tmp/checks.txt" 2>&1 || { cat "$tmp/checks.txt"; fail "--list-checks"; }
for c in $(cut -f1 "$tmp/checks.txt"); do
  [ -f "$prefix/share/doc/tether/checks/$c.md" ] || fail "no installed page for check $c"
done

cmake -S "$here" -B "$tmp/b" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Debug >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log"; fail "configure"; }
[ "$(cat "$tmp/b/tether-location.txt")" = "$prefix/bin/tether" ] ||
  fail "tether::tether is $(cat "$tmp/b/tether-location.txt"), not the installed $prefix/bin/tether"
# The clang-tidy plugin: installed next to the runtime when it was built,
# tether::tidy names it, and the installed module loads into clang-tidy-19
# (its libraries found from the prefix) with the documented checks.
if [ -e "$build/lib/libtetherTidy.so" ]; then
  [ -e "$prefix/lib/libtetherTidy.so" ] || fail "not installed: lib/libtetherTidy.so"
  [ "$(cat "$tmp/b/tidy-location.txt" 2>/dev/null)" = "$prefix/lib/libtetherTidy.so" ] ||
    fail "tether::tidy is '$(cat "$tmp/b/tidy-location.txt" 2>/dev/null)', not $prefix/lib/libtetherTidy.so"
  if command -v clang-tidy-19 >/dev/null 2>&1; then
    clang-tidy-19 -load "$prefix/lib/libtetherTidy.so" --list-checks -checks='-*,tether-*' \
      >"$tmp/tidy-list.txt" 2>&1 || { cat "$tmp/tidy-list.txt"; fail "the installed plugin does not load"; }
    grep -q '^ *tether-cancel-lost$' "$tmp/tidy-list.txt" ||
      { cat "$tmp/tidy-list.txt"; fail "the installed plugin does not offer tether-cancel-lost"; }
  fi
fi
cmake --build "$tmp/b" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "build"; }
[ -f "$tmp/b/compile_commands.json" ] || fail "no compile_commands.json"
"$tmp/b/app" || fail "app exited with $?"

# jobs-tether: one finding, on the marked line of the source added after
# tether_add_check(); the build fails.
if cmake --build "$tmp/b" --target jobs-tether >"$tmp/jobs.log" 2>&1; then
  cat "$tmp/jobs.log"; fail "jobs-tether succeeded despite a finding"
fi
line=$(grep -n '// FINDING' "$here/src/flush.cpp" | cut -d: -f1)
grep -q "src/flush.cpp:$line:[0-9]*: warning: .*\[lock-held-across-blocking\]" "$tmp/jobs.log" ||
  { cat "$tmp/jobs.log"; fail "jobs-tether: no lock-held-across-blocking finding at src/flush.cpp:$line"; }
[ "$(grep -c ': warning: ' "$tmp/jobs.log")" = 1 ] || { cat "$tmp/jobs.log"; fail "jobs-tether: not exactly one finding"; }
grep -q 'src/jobs.cpp:[0-9]*:[0-9]*: ' "$tmp/jobs.log" && { cat "$tmp/jobs.log"; fail "jobs-tether: a finding in the clean src/jobs.cpp"; }
# Both sources were given to tether (ninja shows the failed command).
grep -q "bin/tether check -p $tmp/b --format=text src/jobs.cpp src/flush.cpp\$" "$tmp/jobs.log" ||
  { cat "$tmp/jobs.log"; fail "jobs-tether: not run on both of jobs' sources with the build's database"; }

cmake --build "$tmp/b" --target app-tether >"$tmp/app.log" 2>&1 ||
  { cat "$tmp/app.log"; fail "app-tether failed"; }
grep -q ': warning: ' "$tmp/app.log" && { cat "$tmp/app.log"; fail "app-tether reported a finding"; }

# CMAKE_CXX_CLANG_TIDY: CMake runs `tether check SOURCE -- COMPILER FLAGS -o
# OBJ -c SOURCE` next to every compile.
tidy_build() { # NAME TIDY
  cmake -S "$here" -B "$tmp/$1" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_CLANG_TIDY=$2" >"$tmp/$1.configure.log" 2>&1 ||
    { cat "$tmp/$1.configure.log"; fail "configure $1"; }
  cmake --build "$tmp/$1" --target jobs -j 1 >"$tmp/$1.log" 2>&1
}
if tidy_build tidy "$prefix/bin/tether;check"; then
  cat "$tmp/tidy.log"; fail "CMAKE_CXX_CLANG_TIDY: the build succeeded despite a finding"
fi
grep -q "src/flush.cpp:$line:[0-9]*: warning: .*\[lock-held-across-blocking\]" "$tmp/tidy.log" ||
  { cat "$tmp/tidy.log"; fail "CMAKE_CXX_CLANG_TIDY: no finding at src/flush.cpp:$line"; }
grep -q 'FAILED: .*flush.cpp.o' "$tmp/tidy.log" ||
  { cat "$tmp/tidy.log"; fail "CMAKE_CXX_CLANG_TIDY: the failed step is not flush.cpp's compile"; }
tidy_build tidy0 "$prefix/bin/tether;check;--exit-zero" ||
  { cat "$tmp/tidy0.log"; fail "CMAKE_CXX_CLANG_TIDY with --exit-zero: the build failed"; }
[ "$(grep -c "src/flush.cpp:$line:[0-9]*: warning: .*\[lock-held-across-blocking\]" "$tmp/tidy0.log")" = 1 ] ||
  { cat "$tmp/tidy0.log"; fail "CMAKE_CXX_CLANG_TIDY with --exit-zero: the finding is not in the build log once"; }
grep -q 'cannot analyse\|error:' "$tmp/tidy0.log" &&
  { cat "$tmp/tidy0.log"; fail "CMAKE_CXX_CLANG_TIDY with --exit-zero: errors in the build log"; }
[ -f "$tmp/tidy0/libjobs.a" ] || fail "CMAKE_CXX_CLANG_TIDY with --exit-zero: libjobs.a not built"
echo "ok"
