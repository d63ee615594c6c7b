#!/usr/bin/env bash
# Installs dependencies, builds tether, builds the bundled example project and
# runs `tether check` on it: findings on the terminal, and as JSON and SARIF
# in out/example/.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${TETHER_BUILD_DIR:-$here/build}
out=$here/out/example
"$here/scripts/setup.sh"
"$here/scripts/build.sh"
cmake -S "$here/examples" -B "$build/examples" -G Ninja \
  -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
cmake --build "$build/examples" >/dev/null
mkdir -p "$out"
set +e
"$build/bin/tether" check -p "$build/examples" \
  -o "json:$out/findings.json" -o "sarif:$out/findings.sarif" "$@"
rc=$?
set -e
echo
echo "tether check exited with $rc (1 = findings); reports in ${out#$here/}/"
[ $rc -le 1 ]
