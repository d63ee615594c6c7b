#!/usr/bin/env python3
"""Reads a tether dump and prints it as lines a test can match.

  check_trace.py trace FILE    validates a format=trace document (Chrome
                               trace-event JSON, the "traceEvents" object
                               form) and prints one line per event:
                               "PH TID NAME[ ongoing]", after "OK"; or
                               "ERROR: ..." lines for every rule broken.
  check_trace.py history FILE  prints the JSON dump's history events, one
                               line each: "KIND ID DETAIL", after
                               "capacity N recorded M".

The trace rules are those of the trace-event format that Perfetto's and
chrome://tracing's JSON importers rely on: every event has ph, pid, tid
(integers), name; "X" events a ts and a non-negative dur; "i" events a ts
and a scope; "B"/"E" balanced per thread; "M" metadata names every thread
track; timestamps never go back on a track; complete events on one track
nest or follow each other, never overlap partly.
"""
import decimal
import json
import sys

NUMBER = (int, decimal.Decimal)


def check_trace(path):
    errors = []
    # Exact decimals: spans that follow each other end and start at the same
    # microsecond with three decimals, which binary floats would round apart.
    with open(path, encoding="utf-8") as f:
        doc = json.load(f, parse_float=decimal.Decimal)
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        print("ERROR: not an object with a traceEvents array")
        return 1
    if doc.get("displayTimeUnit") not in ("ms", "ns"):
        errors.append("displayTimeUnit must be ms or ns")
    other = doc.get("otherData", {})
    if other.get("schema") != "tether.trace/1":
        errors.append("otherData.schema is not tether.trace/1")
    named = set()
    last_ts = {}
    open_b = {}
    spans = {}
    lines = []
    for i, e in enumerate(doc["traceEvents"]):
        where = "event %d" % i
        ph = e.get("ph")
        if ph not in ("X", "i", "M", "B", "E"):
            errors.append("%s: unexpected ph %r" % (where, ph))
            continue
        for k in ("pid", "tid"):
            if not isinstance(e.get(k), int) or isinstance(e.get(k), bool):
                errors.append("%s: %s is not an integer" % (where, k))
        if not isinstance(e.get("name"), str) or not e["name"]:
            errors.append("%s: no name" % where)
        track = (e.get("pid"), e.get("tid"))
        if ph == "M":
            args = e.get("args", {})
            if e.get("name") in ("process_name", "thread_name"):
                if not isinstance(args.get("name"), str) or not args["name"]:
                    errors.append("%s: metadata without a name" % where)
                if e.get("name") == "thread_name":
                    named.add(track)
            elif e.get("name") == "thread_sort_index":
                if not isinstance(args.get("sort_index"), int):
                    errors.append("%s: sort_index is not an integer" % where)
            else:
                errors.append("%s: unknown metadata %r" % (where, e.get("name")))
            continue
        ts = e.get("ts")
        if not isinstance(ts, NUMBER) or isinstance(ts, bool) or ts < 0:
            errors.append("%s: bad ts %r" % (where, ts))
            continue
        if ts < last_ts.get(track, 0):
            errors.append("%s: ts %r goes back on track %r" % (where, ts, track))
        last_ts[track] = ts
        if not isinstance(e.get("args", {}), dict):
            errors.append("%s: args is not an object" % where)
        if ph == "X":
            dur = e.get("dur")
            if not isinstance(dur, NUMBER) or isinstance(dur, bool) or dur < 0:
                errors.append("%s: bad dur %r" % (where, dur))
                continue
            # Sorted by start: an earlier span either contains this one or
            # has ended by its start.
            stack = spans.setdefault(track, [])
            while stack and stack[-1] <= ts:
                stack.pop()
            if stack and ts + dur > stack[-1]:
                errors.append("%s: span overlaps the one before on track %r" % (where, track))
            stack.append(ts + dur)
        elif ph == "i":
            if e.get("s") not in ("t", "p", "g"):
                errors.append("%s: instant without scope t/p/g" % where)
        elif ph == "B":
            open_b[track] = open_b.get(track, 0) + 1
        elif ph == "E":
            if open_b.get(track, 0) == 0:
                errors.append("%s: E without B on track %r" % (where, track))
            else:
                open_b[track] -= 1
        suffix = " ongoing" if e.get("args", {}).get("ongoing") else ""
        lines.append("%s %d %s%s" % (ph, e.get("tid", -1), e.get("name"), suffix))
    for track, n in open_b.items():
        if n:
            errors.append("track %r: %d B without E" % (track, n))
    for track in last_ts:
        if track not in named:
            errors.append("track %r has no thread_name" % (track,))
    if errors:
        for err in errors:
            print("ERROR: " + err)
        return 1
    print("OK")
    for line in lines:
        print(line)
    return 0


def history(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    h = doc.get("history")
    if h is None:
        print("no history")
        return 0
    print("capacity %d recorded %d" % (h["capacity"], h["recorded"]))
    last = 0
    for e in h["events"]:
        if e["seq"] <= last and last:
            print("ERROR: seq out of order")
        last = e["seq"]
        kind = e["kind"]
        who = e.get("thread", e.get("task"))
        if kind in ("block", "unblock"):
            detail = e["reason"]
        elif kind == "thread create":
            detail = "parent %d" % e["parent_id"]
        elif kind in ("thread name", "task begin"):
            detail = e["name"]
        elif kind == "task suspend":
            detail = "%s -> %s" % (e["from"], e.get("reason", e["to"]))
        elif kind == "task resume":
            detail = "%s -> %s" % (e.get("reason", e["from"]), e["to"])
        elif kind == "task end":
            detail = e["from"]
        else:
            detail = ""
        print(("%s %d %s" % (kind, who, detail)).rstrip())
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("trace", "history"):
        sys.exit(__doc__)
    sys.exit(check_trace(sys.argv[2]) if sys.argv[1] == "trace" else history(sys.argv[2]))
