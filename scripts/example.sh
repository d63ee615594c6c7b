#!/usr/bin/env bash
# Installs dependencies, builds tether, builds the bundled example project and
# runs `tether check` on it: findings on the terminal, and as JSON and SARIF
# in out/example/. Then runs the example under the runtime shim in a mode
# that hangs on one of its seeded bugs (--hang), dumps its threads twice
# as JSON and
# ends with out/example/report.html: findings and stuck threads on one page.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${TETHER_BUILD_DIR:-$here/build}
out=$here/out/example
"$here/scripts/setup.sh"
"$here/scripts/build.sh"
# Debug information: the runtime dump below names files and lines.
cmake -S "$here/examples" -B "$build/examples" -G Ninja \
  -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build/examples" >/dev/null
mkdir -p "$out"
set +e
"$build/bin/tether" check -p "$build/examples" \
  -o "json:$out/findings.json" -o "sarif:$out/findings.sarif" "$@"
rc=$?
set -e
echo
echo "tether check exited with $rc (1 = findings); reports in ${out#$here/}/"
[ $rc -le 1 ] || exit $rc

# The runtime side: `logpipe --hang` hangs on its cancel-missing bug (the
# watcher jthread ignores its stop token and waits for heartbeats forever;
# main waits in ~jthread). Two SIGQUIT dumps a second apart (a timeline),
# then the program is killed.
shim=$build/runtime/libtether_rt.so
rm -f "$out"/runtime*.json
# One JSON document per dump: runtime.1.json, runtime.2.json.
LD_PRELOAD=$shim \
  TETHER_OPTIONS="dump_on=quit:deadlock=off:format=json:output=$out/runtime.%n.json" \
  "$build/examples/logpipe" --hang --lines 2000 >/dev/null 2>&1 &
pid=$!
dumps_done() { # the number of complete dumps written
  python3 - "$out" <<'PY' 2>/dev/null
import glob, json, sys
n = 0
for f in glob.glob(sys.argv[1] + "/runtime.*.json"):
    try:
        json.load(open(f)); n += 1
    except ValueError:
        pass
print(n)
PY
}
for n in 1 2; do
  sleep 1
  kill -QUIT "$pid"
  for _ in $(seq 100); do
    [ "$(dumps_done || echo 0)" -ge "$n" ] && break
    sleep 0.1
  done
done
# The shell's own "Killed" notice is noise here: it is the expected end.
{ kill -KILL "$pid" && wait "$pid"; } 2>/dev/null || true
(cd "$here" && "$build/bin/tether" report out/example/findings.json \
  out/example/runtime.*.json --title "tether: examples/ (logpipe --hang)" \
  --source-root . -o out/example/report.html)
echo "HTML report (findings + runtime dumps of logpipe --hang): ${out#$here/}/report.html"
