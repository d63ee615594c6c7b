#!/bin/sh
# memcached under LD_PRELOAD=libtether_rt.so with a load from a second
# process (mc_client.py): the same final keys and values with and without the
# shim, a SIGQUIT dump (JSON) that names every thread by OS tid with its state,
# and a clean shutdown on SIGTERM. memcached never joins its worker and
# maintenance threads at exit; TETHER_OPTIONS=ignore_name=mc-* says so.
. "$(dirname "$0")/lib.sh"
need memcached
keys=${MC_KEYS:-3000}
user_opt=""
[ "$(id -u)" = 0 ] && user_opt="-u root" # memcached refuses to run as root otherwise

start_mc() {
  tag=$1; shift
  port=$(free_port)
  # shellcheck disable=SC2086
  env "$@" memcached $user_opt -l 127.0.0.1 -p "$port" -U 0 -t 4 -m 64 -c 64 \
    >"$work/$tag.log" 2>&1 &
  pid=$!
  pids_to_kill="$pids_to_kill $pid"
  wait_until 120 python3 "$here/mc_client.py" "$port" ping ||
    fail "$tag: memcached not ready on port $port within 120s"
}

stop_mc() {
  kill -TERM "$pid"
  wait_exit "$pid" 120
  [ "$rc" = 0 ] || { cat "$work/$1.log" >&2; fail "$1: memcached exited with $rc"; }
}

load() {
  python3 "$here/mc_client.py" "$port" load "$keys" 4 >"$work/$1.data" ||
    fail "$1: the load failed"
}

note "plain run"
start_mc plain
load plain
stop_mc plain
[ "$(grep -c missing "$work/plain.data")" -gt 0 ] || fail "expected deleted keys"

note "run under the shim"
report=$work/shim.report
start_mc shim LD_PRELOAD="$TETHER_RT_LIB" \
  TETHER_OPTIONS="output=$report:format=json:ignore_name=mc-*"
check_dump "$pid" "$report" json
load shim
check_dump "$pid" "$report" json
stop_mc shim
diff "$work/plain.data" "$work/shim.data" >&2 || fail "data differs with the shim"
no_leak_report "$report"
no_deadlock_report "$report"
echo "PASS"
