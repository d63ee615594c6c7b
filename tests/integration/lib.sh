# Helpers shared by the integration tests: real Debian programs run with and
# without libtether_rt under LD_PRELOAD. Sourced by the test scripts.
# Environment: TETHER_RT_LIB (path of libtether_rt.so).
set -eu

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "-- $*"; }

# Exit code 77 makes CTest report the test as skipped (SKIP_RETURN_CODE).
need() {
  for p in "$@"; do
    command -v "$p" >/dev/null 2>&1 ||
      { echo "SKIP: $p is not installed (scripts/setup.sh installs it)"; exit 77; }
  done
}

[ -n "${TETHER_RT_LIB:-}" ] && [ -f "$TETHER_RT_LIB" ] || fail "TETHER_RT_LIB is not set to libtether_rt.so"
need python3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/tether-it.XXXXXX")
pids_to_kill=""
cleanup() {
  for p in $pids_to_kill; do kill -KILL "$p" 2>/dev/null || true; done
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work dir kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# A TCP port on 127.0.0.1 nobody listens on now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_until SECONDS CMD...: polls CMD every 100ms; fails after SECONDS. The
# limits are generous on purpose: they only bound a hang, they assert nothing
# about speed.
wait_until() {
  _limit=$1; shift
  _end=$(( $(date +%s) + _limit ))
  until "$@"; do
    [ "$(date +%s)" -lt "$_end" ] || return 1
    sleep 0.1
  done
}

# True once PID has exited (gone, or a zombie waiting for us).
exited() {
  [ ! -e "/proc/$1" ] && return 0
  _st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
  [ -z "$_st" ] || [ "$_st" = Z ]
}

# wait_exit PID SECONDS: waits for PID to exit; sets $rc to its exit status.
# (Not for $(...): a subshell cannot wait for its parent's children.)
wait_exit() {
  wait_until "$2" exited "$1" || { kill -KILL "$1" 2>/dev/null; fail "pid $1 did not exit within $2s"; }
  rc=0
  wait "$1" || rc=$?
}

# The OS thread ids of PID except the shim's own monitor thread.
task_tids() {
  for t in /proc/"$1"/task/*; do
    [ "$(cat "$t/comm" 2>/dev/null)" = tether-monitor ] && continue
    basename "$t"
  done | sort -n
}

# sigquit_dump PID REPORT FORMAT: sends SIGQUIT and waits for the dump to be
# complete in REPORT (the shim writes each report with one write).
# FORMAT json: the complete JSON object; debug2: the dump header then a blank
# line after the last thread. Returns once found.
dumps_in() {
  python3 "$here/dumpcheck.py" count "$1" "$2"
}
sigquit_dump() {
  _before=$(dumps_in "$2" "$3")
  kill -QUIT "$1"
  wait_until 120 sh -c '[ "$(python3 "$0/dumpcheck.py" count "$1" "$2")" -gt "$3" ]' \
    "$here" "$2" "$3" "$_before" || fail "no SIGQUIT dump in $2 within 120s"
}

# check_dump PID REPORT FORMAT: the last SIGQUIT dump in REPORT names every
# thread PID has (OS tids for JSON, count and names for debug2), each with a
# state. Threads may still be starting when the first SIGQUIT arrives, so a
# mismatch is retried with a fresh dump a few times before it fails.
check_dump() {
  for _try in 1 2 3 4 5; do
    sigquit_dump "$1" "$2" "$3"
    task_tids "$1" > "$work/tids"
    for t in $(cat "$work/tids"); do
      printf '%s\t%s\n' "$t" "$(cat /proc/"$1"/task/"$t"/comm 2>/dev/null)"
    done > "$work/tasks"
    if python3 "$here/dumpcheck.py" check "$2" "$3" "$work/tasks" "$(cat /proc/"$1"/comm)" \
         > "$work/check.out" 2>&1; then
      cat "$work/check.out"
      return 0
    fi
    cat "$work/check.out"
    note "dump and /proc disagree (try $_try); dumping again"
  done
  fail "the SIGQUIT dump does not name every thread of pid $1"
}

# The report must not contain an exit leak report.
no_leak_report() {
  if [ -f "$1" ] && grep -q 'still running at exit\|"trigger":"exit-leaks"' "$1"; then
    cat "$1" >&2
    fail "unexpected leak report in $1"
  fi
}

# The report must contain neither a deadlock nor an all-asleep report: these
# programs have neither.
no_deadlock_report() {
  if [ -f "$1" ] && grep -q 'Found one deadlock\|all threads are asleep' "$1"; then
    cat "$1" >&2
    fail "unexpected deadlock report in $1"
  fi
}
