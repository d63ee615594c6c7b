#!/usr/bin/env bash
# Runtime shim overhead. Prints numbers and ratios; asserts nothing.
#   1. mutex/condition-variable producer-consumer (pc_bench.cpp), plain vs
#      libtether_rt (LD_PRELOAD) with default options (eager_stacks=auto),
#      with eager_stacks=1 (a stack unwind per blocking episode), with the
#      flight recorder off (history=0: what the recorder costs) and with
#      lock_order=1 (the lock-order graph: every lock and unlock tracked),
#      in two shapes: capacity 64 (throughput) and capacity 1
#      (every item is a hand-off, each side blocks once per item: the shim's
#      per-block cost in isolation); also under TSan and Helgrind.
#   2. redis-server throughput under redis-benchmark, plain vs LD_PRELOAD
#      (default options, and lock_order=1).
#   3. the time to dump 10,000 blocked threads (debug=1).
# Runs are interleaved (plain, shim, shim-eager, plain, ...) so changes in
# machine load spread over all sides; medians are reported with the range.
# CPU time (user+system per item) is less sensitive to scheduling noise on a
# shared machine than wall-clock throughput: read both.
# Usage: bench/runtime/run.sh [BUILD_DIR]      (default: build/)
# Env: ROUNDS (7), ITEMS (1000000), HANDOFFS (200000), REDIS_ROUNDS (5),
#      REDIS_REQUESTS (100000), SKIP_REDIS=1, SKIP_TSAN=1, SKIP_HELGRIND=1,
#      PC_ONLY=1 (only part 1), DUMP_ONLY=1 (only part 3, DUMP_ROUNDS times each way, default 5;
#      DUMP_BASELINE=/path/to/older/libtether_rt.so adds that build, interleaved),
#      PC_BASELINE=/path/to/older/libtether_rt.so adds that build to part 1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
lib=$(cd "$build" && pwd)/runtime/libtether_rt.so
[ -f "$lib" ] || { echo "build libtether_rt first ($lib missing)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# What the comparisons need, installed when run as root: TSan's runtime,
# Helgrind, redis.
need=()
for p in libclang-rt-19-dev valgrind redis-server redis-tools; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
  echo "bench/runtime: installing ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
CXX=${CXX:-clang++-19}
rounds=${ROUNDS:-7}
items=${ITEMS:-1000000}
handoffs=${HANDOFFS:-200000}
$CXX -O2 -g -pthread "$here/pc_bench.cpp" -o "$tmp/pc"
[ "${SKIP_TSAN:-0}" = 1 ] || $CXX -O2 -g -fsanitize=thread -pthread "$here/pc_bench.cpp" -o "$tmp/pc_tsan"
$CXX -O2 -g -pthread "$here/dump_bench.cpp" -o "$tmp/dump" -ldl

# stats FILE: "median min max" of the numbers in FILE (one per line).
stats() {
  sort -g "$1" | awk '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.6g %.6g %.6g\n", m, v[1], v[NR] }'
}
median() { stats "$1" | cut -d' ' -f1; }

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo

if [ "${DUMP_ONLY:-0}" = 1 ]; then
  # First debug=1 dump right after 10,000 threads block, interleaved runs;
  # the load average counts the benchmark's own 10,000 threads while they wake.
  libs=("$lib"); [ -n "${DUMP_BASELINE:-}" ] && libs=("$DUMP_BASELINE" "$lib")
  for ((r = 0; r < ${DUMP_ROUNDS:-5}; r++)); do
    for l in "${libs[@]}"; do
      for opt in "" eager_stacks=1; do
        ms=$(LD_PRELOAD="$l" TETHER_OPTIONS="all_asleep=0${opt:+:$opt}" "$tmp/dump" 10000 0 |
          sed -n 's/.*first debug=1 dump \([0-9.]*\) ms.*/\1/p')
        echo "$ms" >> "$tmp/d-$(echo "$l$opt" | md5sum | cut -c1-8)"
      done
    done
  done
  echo "first debug=1 dump of 10,000 threads right after they block, ${DUMP_ROUNDS:-5} interleaved runs (ms):"
  for l in "${libs[@]}"; do
    for opt in "" eager_stacks=1; do
      read -r m lo hi < <(stats "$tmp/d-$(echo "$l$opt" | md5sum | cut -c1-8)")
      printf '  %-50s %-16s median %7.1f  (%s..%s)\n' "$l" "${opt:-default}" "$m" "$lo" "$hi"
    done
  done
  exit 0
fi

# ---------------------------------------------------------------- producer-consumer
pc_side() { # NAME CAPACITY COUNT CMD...: one run, appends to NAME.ips / NAME.cpu
  local name=$1 cap=$2 n=$3; shift 3
  local out
  out=$("$@" "$tmp/pc" "$n" "$cap")
  echo "${out% *}" >> "$tmp/$name.ips"
  echo "${out#* }" >> "$tmp/$name.cpu"
}
pc_shape() { # CAPACITY COUNT LABEL
  local cap=$1 n=$2 label=$3
  rm -f "$tmp"/pc-*.ips "$tmp"/pc-*.cpu
  for ((r = 0; r < rounds; r++)); do
    # Rotate the order every round.
    local sides=(plain shim eager norec lockorder ${PC_BASELINE:+base})
    local ns=${#sides[@]}
    for ((k = 0; k < ns; k++)); do
      case ${sides[(k + r) % ns]} in
        plain) pc_side pc-plain "$cap" "$n" env ;;
        shim) pc_side pc-shim "$cap" "$n" env LD_PRELOAD="$lib" ;;
        eager) pc_side pc-eager "$cap" "$n" env LD_PRELOAD="$lib" TETHER_OPTIONS=eager_stacks=1 ;;
        norec) pc_side pc-norec "$cap" "$n" env LD_PRELOAD="$lib" TETHER_OPTIONS=history=0 ;;
        lockorder) pc_side pc-lockorder "$cap" "$n" env LD_PRELOAD="$lib" TETHER_OPTIONS=lock_order=1 ;;
        base) pc_side pc-base "$cap" "$n" env LD_PRELOAD="$PC_BASELINE" ;;
      esac
    done
  done
  echo "producer-consumer, $label ($n items, capacity $cap, $rounds interleaved rounds):"
  printf '  %-28s %14s %22s %12s %18s\n' side "items/s median" "(min..max)" "CPU ns/item" "(min..max)"
  for s in "${sides[@]}"; do
    read -r im ilo ihi < <(stats "$tmp/pc-$s.ips")
    read -r cm clo chi < <(stats "$tmp/pc-$s.cpu")
    case $s in
      plain) d="plain" ;;
      shim) d="tether (default)" ;;
      eager) d="tether eager_stacks=1" ;;
      norec) d="tether history=0" ;;
      lockorder) d="tether lock_order=1" ;;
      base) d="baseline tether (default)" ;;
    esac
    printf '  %-28s %14.0f %22s %12.0f %18s\n' "$d" "$im" "($ilo..$ihi)" "$cm" "($clo..$chi)"
  done
  # The flight recorder: the default (history on) against history=0.
  awk -v on="$(median "$tmp/pc-shim.cpu")" -v off="$(median "$tmp/pc-norec.cpu")" \
    -v ion="$(median "$tmp/pc-shim.ips")" -v ioff="$(median "$tmp/pc-norec.ips")" 'BEGIN {
    printf "  flight recorder (default history against history=0): CPU per item %+.1f%%, throughput %+.1f%%\n", (on/off-1)*100, (ioff/ion-1)*100 }'
  if [ -n "${PC_BASELINE:-}" ]; then
    awk -v s="$(median "$tmp/pc-shim.cpu")" -v b="$(median "$tmp/pc-base.cpu")" 'BEGIN {
      printf "  CPU per item against the baseline build: x%.3f\n", s/b }'
  fi
  local p e l o pc ec lc oc
  p=$(median "$tmp/pc-plain.ips"); e=$(median "$tmp/pc-shim.ips"); l=$(median "$tmp/pc-eager.ips")
  o=$(median "$tmp/pc-lockorder.ips")
  pc=$(median "$tmp/pc-plain.cpu"); ec=$(median "$tmp/pc-shim.cpu"); lc=$(median "$tmp/pc-eager.cpu")
  oc=$(median "$tmp/pc-lockorder.cpu")
  awk -v p="$p" -v e="$e" -v l="$l" -v o="$o" -v pc="$pc" -v ec="$ec" -v lc="$lc" -v oc="$oc" 'BEGIN {
    printf "  throughput overhead: tether %+.1f%% (x%.3f), eager_stacks=1 %+.1f%% (x%.3f), lock_order=1 %+.1f%% (x%.3f)\n", (p/e-1)*100, p/e, (p/l-1)*100, p/l, (p/o-1)*100, p/o
    printf "  CPU per item:        tether %+.1f%% (x%.3f), eager_stacks=1 %+.1f%% (x%.3f), lock_order=1 %+.1f%% (x%.3f)\n", (ec/pc-1)*100, ec/pc, (lc/pc-1)*100, lc/pc, (oc/pc-1)*100, oc/pc
    printf "  lock_order=1 against the default: CPU per item %+.1f%%, throughput %+.1f%%\n", (oc/ec-1)*100, (e/o-1)*100 }'
  echo
}
pc_shape 64 "$items" "throughput"
pc_shape 1 "$handoffs" "hand-off"
[ "${PC_ONLY:-0}" = 1 ] && exit 0

if [ "${SKIP_TSAN:-0}" != 1 ]; then
  rm -f "$tmp"/t-*.ips "$tmp"/t-*.cpu
  for ((r = 0; r < 3; r++)); do
    out=$("$tmp/pc" "$items" 64); echo "${out% *}" >> "$tmp/t-plain.ips"
    out=$("$tmp/pc_tsan" "$items" 64); echo "${out% *}" >> "$tmp/t-tsan.ips"
  done
  awk -v b="$(median "$tmp/t-plain.ips")" -v t="$(median "$tmp/t-tsan.ips")" 'BEGIN {
    printf "tsan (clang-19 -fsanitize=thread), throughput shape: %.0f items/s, slowdown x%.2f\n", t, b/t }'
fi
if [ "${SKIP_HELGRIND:-0}" != 1 ] && command -v valgrind >/dev/null 2>&1; then
  small=$((items / 50))
  hb=$("$tmp/pc" "$small" 64); hb=${hb% *}
  hg=$(valgrind --tool=helgrind -q "$tmp/pc" "$small" 64 2>/dev/null); hg=${hg% *}
  awk -v b="$hb" -v h="$hg" -v n="$small" 'BEGIN {
    printf "helgrind, throughput shape: %.0f items/s, slowdown x%.1f (on %d items)\n", h, b/h, n }'
fi
echo

# ---------------------------------------------------------------------- redis
if [ "${SKIP_REDIS:-0}" != 1 ] && command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null; then
  rreq=${REDIS_REQUESTS:-100000}
  rrounds=${REDIS_ROUNDS:-5}
  free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
  }
  redis_side() { # NAME ENV...
    local name=$1; shift
    local port; port=$(free_port)
    env "$@" redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
      --dir "$tmp" --logfile "$tmp/redis.log" >/dev/null 2>&1 &
    local pid=$!
    for _ in $(seq 600); do
      redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break
      sleep 0.1
    done
    redis-benchmark -p "$port" -n "$rreq" -c 50 -t set,get,lpush,lpop --csv 2>/dev/null |
      tr -d '"' | awk -F, -v d="$tmp" -v n="$name" 'NR > 1 { print $2 >> (d "/r-" n "-" $1) }'
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
    wait "$pid" || true
  }
  rm -f "$tmp"/r-*
  for ((r = 0; r < rrounds; r++)); do
    case $((r % 3)) in
      0) redis_side plain; redis_side shim LD_PRELOAD="$lib"
         redis_side lockorder LD_PRELOAD="$lib" TETHER_OPTIONS=lock_order=1 ;;
      1) redis_side shim LD_PRELOAD="$lib"
         redis_side lockorder LD_PRELOAD="$lib" TETHER_OPTIONS=lock_order=1; redis_side plain ;;
      2) redis_side lockorder LD_PRELOAD="$lib" TETHER_OPTIONS=lock_order=1
         redis_side plain; redis_side shim LD_PRELOAD="$lib" ;;
    esac
  done
  echo "redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/') under redis-benchmark" \
    "(-n $rreq -c 50, $rrounds interleaved rounds, requests/s medians):"
  printf '  %-6s %12s %12s %10s %14s %10s\n' test plain tether ratio lock_order=1 ratio
  prod=1; prodo=1; k=0
  for t in SET GET LPUSH LPOP; do
    [ -f "$tmp/r-plain-$t" ] && [ -f "$tmp/r-shim-$t" ] && [ -f "$tmp/r-lockorder-$t" ] || continue
    p=$(median "$tmp/r-plain-$t"); s=$(median "$tmp/r-shim-$t"); o=$(median "$tmp/r-lockorder-$t")
    printf '  %-6s %12.0f %12.0f %10.3f %14.0f %10.3f\n' "$t" "$p" "$s" \
      "$(awk -v p="$p" -v s="$s" 'BEGIN{print s/p}')" "$o" "$(awk -v p="$p" -v o="$o" 'BEGIN{print o/p}')"
    prod=$(awk -v a="$prod" -v p="$p" -v s="$s" 'BEGIN{print a*s/p}')
    prodo=$(awk -v a="$prodo" -v p="$p" -v o="$o" 'BEGIN{print a*o/p}'); k=$((k + 1))
  done
  ((k > 0)) && awk -v a="$prod" -v b="$prodo" -v k="$k" 'BEGIN {
    g = a^(1/k); printf "  tether/plain throughput (geometric mean): %.3f (overhead %+.1f%%)\n", g, (1/g-1)*100
    h = b^(1/k); printf "  tether lock_order=1/plain throughput (geometric mean): %.3f (overhead %+.1f%%)\n", h, (1/h-1)*100 }'
  echo
fi

# ----------------------------------------------------------------------- dump
echo "dump of 10,000 blocked threads (default options, then eager_stacks=1;"
echo "right after they block, then after 3 s, when the monitor has sampled them):"
LD_PRELOAD="$lib" "$tmp/dump" 10000 0
LD_PRELOAD="$lib" TETHER_OPTIONS=eager_stacks=1 "$tmp/dump" 10000 0
LD_PRELOAD="$lib" "$tmp/dump" 10000 3000
LD_PRELOAD="$lib" TETHER_OPTIONS=eager_stacks=1 "$tmp/dump" 10000 3000
