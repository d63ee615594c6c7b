#!/bin/sh
# A multi-threaded compressor under LD_PRELOAD=libtether_rt.so:
#   compress.sh pigz   pigz -p 4
#   compress.sh zstd   zstd -T0 (one worker per core)
# The input arrives through a FIFO in two halves; between them the compressor
# is blocked reading with its worker threads alive, and a SIGQUIT dump (JSON)
# must name every thread by OS tid with its state. The compressed bytes are
# identical with and without the shim and decompress to the input. These
# programs join every thread they start: no leak report, no ignore options.
. "$(dirname "$0")/lib.sh"
tool=${1:?usage: compress.sh pigz|zstd}
case $tool in
  pigz) need pigz; compress="pigz -n -p 4 -c"; decompress="pigz -d -c" ;;
  zstd) need zstd; compress="zstd -q -T0 -c"; decompress="zstd -q -d -c" ;;
  *) fail "unknown tool $tool" ;;
esac
python3 "$here/gen_input.py" "$work/in" "${INPUT_MB:-24}"
size=$(wc -c < "$work/in")
half=$((size / 2))

# run TAG DUMP [env...]: compresses $work/in into $work/TAG.out through a FIFO.
run() {
  tag=$1 dump=$2; shift 2
  rm -f "$work/fifo"
  mkfifo "$work/fifo"
  # shellcheck disable=SC2086
  env "$@" $compress <"$work/fifo" >"$work/$tag.out" 2>"$work/$tag.err" &
  pid=$!
  pids_to_kill="$pids_to_kill $pid"
  exec 3>"$work/fifo"
  # Returns once all but a pipe buffer of the first half has been read.
  head -c "$half" "$work/in" >&3
  if [ "$dump" = 1 ]; then
    check_dump "$pid" "$report" json
  fi
  tail -c +"$((half + 1))" "$work/in" >&3
  exec 3>&-
  wait_exit "$pid" 300
  [ "$rc" = 0 ] || { cat "$work/$tag.err" >&2; fail "$tag: $tool exited with $rc"; }
}

note "plain run"
run plain 0
note "run under the shim"
report=$work/shim.report
run shim 1 LD_PRELOAD="$TETHER_RT_LIB" TETHER_OPTIONS="output=$report:format=json"
cmp "$work/plain.out" "$work/shim.out" || fail "compressed output differs with the shim"
$decompress <"$work/shim.out" | cmp - "$work/in" || fail "output does not decompress to the input"
no_leak_report "$report"
no_deadlock_report "$report"
python3 "$here/dumpcheck.py" count "$report" json | grep -qv '^0$' || fail "no dump"
echo "PASS"
