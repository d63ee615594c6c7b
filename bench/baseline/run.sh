#!/usr/bin/env bash
# Cost of reading a baseline: `tether check --baseline B` against the same run
# without a baseline, on one small TU, for baselines of N entries (default
# 100,000 and 1,500,000). Prints median wall time and peak RSS of each side
# and their ratios; asserts nothing.
#   bench/baseline/run.sh [BUILD_DIR]    Env: SIZES ("100000 1500000"), REPS (3)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
tether=$build/bin/tether
[ -x "$tether" ] || { echo "bench/baseline: build tether first" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/baseline: needs /usr/bin/time (Debian: time)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo 'int answer() { return 42; }' > "$tmp/a.cpp"
reps=${REPS:-3}

# median "seconds KB" of REPS runs of the command
measure() {
  for _ in $(seq "$reps"); do
    /usr/bin/time -f "%e %M" -o "$tmp/t" "$@" >/dev/null 2>&1 || true
    cat "$tmp/t"
  done | sort -n | awk -v n="$reps" 'NR == int((n + 1) / 2) { print }'
}

read -r t0 m0 <<<"$(measure "$tether" check "$tmp/a.cpp" -- -std=c++20)"
printf 'no baseline: %.2f s, %d MB peak RSS\n' "$t0" "$((m0 / 1024))"
for n in ${SIZES:-100000 1500000}; do
  python3 - "$tmp/base-$n.json" "$n" <<'PY'
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write('{"version": 1, "fingerprints": [')
    for i in range(n):
        f.write(("," if i else "") + json.dumps({
            "fingerprint": "%016x" % i, "check": "channel-double-close",
            "file": "src/dir/file%d.cpp" % i,
            "message": "channel 'ch' is closed twice on a path through stop"}))
    f.write("]}\n")
PY
  size=$(( $(stat -c %s "$tmp/base-$n.json") / 1048576 ))
  read -r t m <<<"$(measure "$tether" check "$tmp/a.cpp" --baseline "$tmp/base-$n.json" -- -std=c++20)"
  awk -v n="$n" -v size="$size" -v t="$t" -v m="$m" -v t0="$t0" -v m0="$m0" 'BEGIN {
    printf "%d entries (%d MiB): %.2f s, %d MB peak RSS; ratio to no baseline: time %.2f, RSS %.2f\n",
      n, size, t, m / 1024, t / t0, m / m0 }'
done
