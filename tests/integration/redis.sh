#!/bin/sh
# redis-server under LD_PRELOAD=libtether_rt.so: a bounded redis-benchmark
# load leaves the same data with and without the shim, a SIGQUIT dump (debug2)
# names every thread with its state, the server shuts down cleanly, and the
# exit leak report names redis's never-joined background threads unless they
# are ignored with TETHER_OPTIONS.
. "$(dirname "$0")/lib.sh"
need redis-server redis-cli redis-benchmark
requests=${REDIS_REQUESTS:-20000}

# start_redis TAG [env...]: starts a server; sets $pid and $port.
start_redis() {
  tag=$1; shift
  port=$(free_port)
  mkdir -p "$work/$tag"
  env "$@" redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$work/$tag" --logfile "$work/$tag/redis.log" --daemonize no &
  pid=$!
  pids_to_kill="$pids_to_kill $pid"
  wait_until 120 sh -c 'redis-cli -p "$0" ping 2>/dev/null | grep -q PONG' "$port" ||
    fail "$tag: redis-server not ready on port $port within 120s"
}

stop_redis() {
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  wait_exit "$pid" 120
  [ "$rc" = 0 ] || { cat "$work/$1/redis.log" >&2; fail "$1: redis-server exited with $rc"; }
  grep -q 'ready to exit, bye bye' "$work/$1/redis.log" ||
    fail "$1: no clean shutdown in the redis log"
}

# Every key with its type and full value, sorted: the data after the load.
snapshot_data() {
  redis-cli -p "$port" --scan | sort | while read -r k; do
    t=$(redis-cli -p "$port" type "$k")
    case $t in
      string) v=$(redis-cli -p "$port" get "$k") ;;
      list) v=$(redis-cli -p "$port" lrange "$k" 0 -1 | md5sum) ;;
      set) v=$(redis-cli -p "$port" smembers "$k" | sort | md5sum) ;;
      hash) v=$(redis-cli -p "$port" hgetall "$k" | md5sum) ;;
      zset) v=$(redis-cli -p "$port" zrange "$k" 0 -1 withscores | md5sum) ;;
      *) v="?" ;;
    esac
    printf '%s %s %s\n' "$k" "$t" "$v"
  done > "$1"
}

# Without -r, redis-benchmark uses fixed key names, so the resulting data is
# deterministic: counter = requests, list lengths = requests, and so on.
load() {
  redis-benchmark -p "$port" -n "$requests" -c 8 -q \
    -t set,get,incr,lpush,rpush,lpop,sadd,hset,zadd >"$work/$1/bench.out" 2>&1 ||
    { cat "$work/$1/bench.out" >&2; fail "$1: redis-benchmark failed"; }
}

note "plain run"
start_redis plain
load plain
snapshot_data "$work/plain.data"
stop_redis plain
[ -s "$work/plain.data" ] || fail "the load left no data"
grep -q "^counter:__rand_int__ string $requests\$\|^counter:000000000000 string $requests\$" \
  "$work/plain.data" || { cat "$work/plain.data" >&2; fail "unexpected counter value"; }

note "run under the shim"
report=$work/shim.report
start_redis shim LD_PRELOAD="$TETHER_RT_LIB" \
  TETHER_OPTIONS="output=$report:format=debug2:ignore_created_by=bioInit,libjemalloc"
load shim
check_dump "$pid" "$report" debug2
snapshot_data "$work/shim.data"
check_dump "$pid" "$report" debug2 # after more requests, still consistent
stop_redis shim
diff "$work/plain.data" "$work/shim.data" >&2 || fail "data differs with the shim"
no_leak_report "$report"
no_deadlock_report "$report"

note "exit leak report without ignore options"
report2=$work/leaks.report
start_redis leaks LD_PRELOAD="$TETHER_RT_LIB" TETHER_OPTIONS="output=$report2:exitcode=0"
redis-cli -p "$port" set k v >/dev/null
stop_redis leaks
grep -q 'still running at exit that nobody joined' "$report2" || fail "no leak report"
for name in bio_close_file bio_aof_fsync bio_lazy_free; do
  grep -q "^thread [0-9]* \"$name\" \[cond wait" "$report2" || fail "leak report misses $name"
done
grep -q '^created by bioInit in thread 1$' "$report2" || fail "leak report lacks creation site"
echo "PASS"
