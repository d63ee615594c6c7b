#!/usr/bin/env bash
# The HTML report at scale: 10,000 findings and 10,000 threads (a dump_10k-
# style program). Prints the page size, the render time, and first
# contentful paint and filter times in headless Chromium. Not a test: the
# targets (first content <= 1.5 s, filtering <= 200 ms) are read off.
#   bench/report/bench.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:-$here/../../build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/gen.py" "$work" 10000 10000
start=$(date +%s.%N)
"$build/bin/tether-report" "$work/findings.json" "$work/dump.json" \
  --source-root "$work" -o "$work/report.html"
end=$(date +%s.%N)
echo "inputs: $(du -k "$work/findings.json" | cut -f1) KiB findings, $(du -k "$work/dump.json" | cut -f1) KiB dump"
echo "page: $(du -k "$work/report.html" | cut -f1) KiB, rendered in $(echo "$end - $start" | bc) s"
NODE_PATH=$(npm root -g) node "$here/measure.js" "$work/report.html"
