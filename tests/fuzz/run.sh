#!/bin/sh
# run.sh FUZZER CORPUS SECONDS: a bounded libFuzzer run from the seed corpus
# (read-only: new inputs go to a scratch directory). Fails on any crash,
# leak or timeout the fuzzer reports.
set -u
fuzzer=$1 corpus=$2 seconds=$3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch" || exit 1
mkdir new
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 -print_final_stats=1 new "$corpus" >log 2>&1
rc=$?
tail -25 log
exit $rc
