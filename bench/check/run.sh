#!/usr/bin/env bash
# Analysis cost of `tether check` against the compiler's own front end:
# `clang++-19 -fsyntax-only` over the same translation units with the same
# flags, both run serially, on two suites:
#   examples     the bundled example project (examples/)
#   boost-fiber  Boost.Fiber's examples from Debian's libboost1.81-doc, the
#                ones that compile against the installed Boost headers
# Prints per-suite and overall median times, `tether/syntax-only ratio: X.XX`
# lines, peak RSS and the CFGs built per TU (`--analysis-stats`, when the
# binary has it). With BASELINE_TETHER, a second tether binary runs
# on the same TUs in the same rounds, and each side's time and peak RSS are
# also given against the other. Makes no assertion on the numbers; exits
# non-zero only if something fails to run. See ../README.md.
#
#   bench/check/run.sh [BUILD_DIR]     (default: the repository's build/)
#   BASELINE_TETHER=old/bin/tether bench/check/run.sh [BUILD_DIR]
# Environment: REPS (default 3), CLANGXX (default clang++-19),
#              FIBER_EXAMPLES (default: the libboost1.81-doc location),
#              BASELINE_TETHER (default: none).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$repo/build}" && pwd)
tether=$build/bin/tether
baseline=${BASELINE_TETHER:-}
reps=${REPS:-3}
clangxx=${CLANGXX:-clang++-19}
fiber_doc_pkg=libboost1.81-doc
fiber_dir=${FIBER_EXAMPLES:-/usr/share/doc/$fiber_doc_pkg/examples/libs/fiber/examples}

die() { echo "bench/check: $*" >&2; exit 2; }

apt_install() {
  [ "$(id -u)" = 0 ] || die "missing $*; install it (apt-get install $*)"
  echo "bench/check: installing $*" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "$@" >/dev/null
}

[ -x "$tether" ] || die "no tether binary at $tether (build it: ninja -C $build tether)"
# LARGE=1: a real project of hundreds of TUs, cold, warm, one header changed
# and sharded, at -j1 and -j2 (large.py; its environment is described there).
if [ -n "${LARGE:-}" ]; then
  command -v ninja >/dev/null || die "LARGE=1 needs ninja"
  [ -x /usr/bin/time ] || apt_install time
  exec python3 "$here/large.py" "$tether"
fi
[ -z "$baseline" ] || [ -x "$baseline" ] || die "BASELINE_TETHER: no tether binary at $baseline"
command -v "$clangxx" >/dev/null || die "$clangxx not found"
command -v cmake >/dev/null || die "cmake not found"
command -v python3 >/dev/null || apt_install python3
[ -x /usr/bin/time ] || apt_install time
[ -d "$fiber_dir" ] || apt_install "$fiber_doc_pkg"
[ -d "$fiber_dir" ] || die "no Boost.Fiber examples at $fiber_dir"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tether-bench-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- compile databases -------------------------------------------------------

# examples: configure only; the compile database is all that is needed.
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
cmake -S "$repo/examples" -B "$tmp/examples" "${gen[@]}" \
  -DCMAKE_CXX_COMPILER="$clangxx" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  >"$tmp/examples-cmake.log" 2>&1 ||
  { cat "$tmp/examples-cmake.log" >&2; die "configuring examples/ failed"; }

# boost-fiber: every .cpp under the examples directory that passes a
# syntax-only probe with the installed headers goes into the database. The
# probe is not timed and runs on all cores.
mkdir -p "$tmp/boost-fiber"
fiber_flags=(-std=c++17 -w)
find "$fiber_dir" -name '*.cpp' | sort >"$tmp/fiber-all.txt"
fiber_total=$(wc -l <"$tmp/fiber-all.txt")
export clangxx fiber_dir fiber_flags_str="${fiber_flags[*]}"
mapfile -t fiber_used < <(xargs -d '\n' -n 1 -P "$(nproc)" sh -c \
  '"$clangxx" $fiber_flags_str -I"$fiber_dir" -I"$(dirname "$1")" \
     -fsyntax-only "$1" >/dev/null 2>&1 && echo "$1"; exit 0' _ \
  <"$tmp/fiber-all.txt" | sort)
fiber_skipped=$((fiber_total - ${#fiber_used[@]}))
[ ${#fiber_used[@]} -gt 0 ] || die "no Boost.Fiber example compiles"
python3 - "$tmp/boost-fiber" "$clangxx" "$fiber_dir" "${fiber_flags[@]}" \
  -- "${fiber_used[@]}" <<'PY'
import json, os, sys
out, cxx, inc = sys.argv[1], sys.argv[2], sys.argv[3]
sep = sys.argv.index("--")
flags, files = sys.argv[4:sep], sys.argv[sep + 1:]
db = [{"directory": out, "file": f,
       "arguments": [cxx, *flags, "-I" + inc, "-I" + os.path.dirname(f),
                     "-c", f, "-o", os.path.join(out, os.path.basename(f) + ".o")]}
      for f in files]
json.dump(db, open(os.path.join(out, "compile_commands.json"), "w"), indent=1)
PY

# The syntax-only baseline of a database: one clang++ per TU, serially, with
# the TU's own flags less output and dependency-file flags, plus -w: the same
# adjustments tether makes before running its front end.
syntax_script() { # DB_DIR OUT_SCRIPT
  python3 - "$1/compile_commands.json" "$clangxx" "$here" >"$2" <<'PY'
import json, shlex, sys
sys.path.insert(0, sys.argv[3])
from large import syntax_commands  # the one rule, shared with LARGE=1
print("set -e")
for directory, cmd in syntax_commands(json.load(open(sys.argv[1])), sys.argv[2]):
    print("(cd %s && exec %s)" % (shlex.quote(directory), shlex.join(cmd)))
PY
}

# --- measurement -------------------------------------------------------------

# run_timed LOG CMD...: wall time (s) on stdout, peak RSS (KB) into LOG.rss.
run_timed() {
  local log=$1
  shift
  local t0 t1 rc=0
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$log.time" "$@" >"$log" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  awk -F': ' '/Maximum resident set size/ {print $2}' "$log.time" >"$log.rss"
  echo "$rc" >"$log.rc"
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}'
}

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {
  if (NR % 2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2 }'; }
maxof() { printf '%s\n' "$@" | sort -g | tail -n 1; }
mb() { awk -v k="$1" 'BEGIN {printf "%.0f MB", k/1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a/b : 0)}'; }

# stat_sum FILE PATTERN: the sum of the counters (`--analysis-stats` JSON)
# whose name contains PATTERN, or "n/a" when the binary reported none.
stat_sum() {
  python3 - "$1" "$2" <<'PY'
import json, sys
try:
    stats = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    stats = {}
vals = [v for k, v in stats.items() if sys.argv[2] in k]
print(sum(vals) if vals else "n/a")
PY
}
per_tu() { # COUNT TUS
  [ "$1" = n/a ] && { echo n/a; return; }
  awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b > 0 ? a/b : 0)}'
}

# run_tether NAME BINARY DB: one timed pass; the analysis counters into
# NAME.stats when the binary has --analysis-stats.
run_tether() {
  local name=$1 bin=$2 db=$3 t rc stats=()
  rm -f "$tmp/$name.stats"
  "$bin" check --help 2>/dev/null | grep -q -- --analysis-stats &&
    stats=(--analysis-stats="$tmp/$name.stats")
  # Every round analyses every TU: no result cache.
  "$bin" check --help 2>/dev/null | grep -q -- --no-cache &&
    stats+=(--no-cache)
  t=$(run_timed "$tmp/$name.log" "$bin" check -p "$db" -j 1 \
    --quiet --no-unused-suppressions "${stats[@]}")
  rc=$(cat "$tmp/$name.log.rc")
  # 0: no findings, 1: findings; anything else is a failure.
  [ "$rc" -le 1 ] ||
    { cat "$tmp/$name.log" >&2; die "$name: $bin check exited with $rc"; }
  echo "$t"
}

total_tether=0
total_syntax=0
total_base=0
peak_tether=0
peak_syntax=0
peak_base=0

bench_suite() { # NAME DB_DIR
  local name=$1 db=$2 tus
  tus=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' \
    "$db/compile_commands.json")
  syntax_script "$db" "$tmp/$name-syntax.sh"
  local ts=() tt=() tb=() rs=() rt=() rb=() i t
  for ((i = 1; i <= reps; i++)); do
    # Alternate the sides so that a change in machine load hits each.
    t=$(run_timed "$tmp/$name-syntax.log" bash "$tmp/$name-syntax.sh")
    [ "$(cat "$tmp/$name-syntax.log.rc")" = 0 ] ||
      { cat "$tmp/$name-syntax.log" >&2; die "$name: clang++ -fsyntax-only failed"; }
    ts+=("$t")
    rs+=("$(cat "$tmp/$name-syntax.log.rss")")
    tt+=("$(run_tether "$name-tether" "$tether" "$db")")
    rt+=("$(cat "$tmp/$name-tether.log.rss")")
    if [ -n "$baseline" ]; then
      tb+=("$(run_tether "$name-base" "$baseline" "$db")")
      rb+=("$(cat "$tmp/$name-base.log.rss")")
    fi
  done
  local ms mt ps pt cfgs
  ms=$(median "${ts[@]}")
  mt=$(median "${tt[@]}")
  ps=$(maxof "${rs[@]}")
  pt=$(maxof "${rt[@]}")
  cfgs=$(stat_sum "$tmp/$name-tether.stats" CFGs)
  printf '%s: %s TUs, %s runs each\n' "$name" "$tus" "$reps"
  printf '  %-28s median %7.2f s  runs: %s  peak RSS %s\n' \
    "$clangxx -fsyntax-only" "$ms" "${ts[*]}" "$(mb "$ps")"
  printf '  %-28s median %7.2f s  runs: %s  peak RSS %s  CFGs/TU %s\n' \
    "tether check -j 1" "$mt" "${tt[*]}" "$(mb "$pt")" "$(per_tu "$cfgs" "$tus")"
  printf '  %s: tether/syntax-only ratio: %s  (peak RSS ratio: %s)\n' \
    "$name" "$(ratio "$mt" "$ms")" "$(ratio "$pt" "$ps")"
  total_syntax=$(awk -v a="$total_syntax" -v b="$ms" 'BEGIN {print a + b}')
  total_tether=$(awk -v a="$total_tether" -v b="$mt" 'BEGIN {print a + b}')
  peak_syntax=$(maxof "$peak_syntax" "$ps")
  peak_tether=$(maxof "$peak_tether" "$pt")
  [ -n "$baseline" ] || return 0
  local mb_ pb bcfgs
  mb_=$(median "${tb[@]}")
  pb=$(maxof "${rb[@]}")
  bcfgs=$(stat_sum "$tmp/$name-base.stats" CFGs)
  printf '  %-28s median %7.2f s  runs: %s  peak RSS %s  CFGs/TU %s\n' \
    "baseline check -j 1" "$mb_" "${tb[*]}" "$(mb "$pb")" "$(per_tu "$bcfgs" "$tus")"
  printf '  %s: baseline/syntax-only ratio: %s  (peak RSS ratio: %s)\n' \
    "$name" "$(ratio "$mb_" "$ms")" "$(ratio "$pb" "$ps")"
  printf '  %s: tether/baseline ratio: %s  (peak RSS ratio: %s)\n' \
    "$name" "$(ratio "$mt" "$mb_")" "$(ratio "$pt" "$pb")"
  total_base=$(awk -v a="$total_base" -v b="$mb_" 'BEGIN {print a + b}')
  peak_base=$(maxof "$peak_base" "$pb")
}

echo "tether: $tether"
[ -z "$baseline" ] || echo "baseline: $baseline"
echo "compiler: $("$clangxx" --version | head -n 1)"
echo "boost-fiber examples: ${#fiber_used[@]} of $fiber_total compile against the installed headers, $fiber_skipped skipped"
echo
bench_suite examples "$tmp/examples"
bench_suite boost-fiber "$tmp/boost-fiber"
echo
printf 'overall: %s s tether, %s s syntax-only (sum of medians)\n' \
  "$total_tether" "$total_syntax"
printf 'overall: tether/syntax-only ratio: %s  (target <= 1.10)\n' \
  "$(ratio "$total_tether" "$total_syntax")"
printf 'overall: peak RSS %s tether, %s syntax-only\n' \
  "$(mb "$peak_tether")" "$(mb "$peak_syntax")"
if [ -n "$baseline" ]; then
  printf 'overall: %s s baseline; baseline/syntax-only ratio: %s\n' \
    "$total_base" "$(ratio "$total_base" "$total_syntax")"
  printf 'overall: tether/baseline ratio: %s  (peak RSS %s tether, %s baseline: ratio %s)\n' \
    "$(ratio "$total_tether" "$total_base")" "$(mb "$peak_tether")" \
    "$(mb "$peak_base")" "$(ratio "$peak_tether" "$peak_base")"
fi
