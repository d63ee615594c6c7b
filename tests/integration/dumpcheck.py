"""Reads tether SIGQUIT dumps from a report file (format json or debug2).

dumpcheck.py count REPORT FORMAT
    prints how many complete SIGQUIT dumps REPORT holds (with REPORT.2,
    REPORT.3, ...: the shim writes each JSON report to a file of its own).
dumpcheck.py check REPORT FORMAT TASKS MAINCOMM
    checks the last SIGQUIT dump against TASKS (lines "tid<TAB>comm" read from
    /proc): json: the dump's set of OS tids equals TASKS', every thread has a
    state and reason, and every thread named by the program (comm differs from
    the process's, MAINCOMM) carries that name. debug2: as many thread blocks
    as tasks, each header with a state, and every such name in a header.
"""
import json
import os
import re
import sys

STATES = {"blocked", "running", "runnable"}
HEADER = re.compile(r'^thread (\d+)(?: "([^"]*)")? \[([^\],]+)(?:, [^\]]+)?\]:$')


def json_dumps(text):
    dec = json.JSONDecoder()
    i, out = 0, []
    while True:
        j = text.find('{"schema"', i)
        if j < 0:
            return out
        try:
            obj, end = dec.raw_decode(text, j)
        except ValueError:
            return out  # incomplete: still being written
        if obj.get("trigger") == "SIGQUIT":
            out.append(obj)
        i = end


def debug2_dumps(text):
    """Each dump: list of (id, name, reason) headers. A dump is complete when
    it ends with a blank line and is followed by another report or EOF."""
    out = []
    parts = text.split("tether: thread dump (SIGQUIT)\n")
    for part in parts[1:]:
        block = part.split("\ntether: ")[0]
        if not block.endswith("\n\n") and "\ntether: " not in part:
            continue
        heads = []
        for line in block.splitlines():
            m = HEADER.match(line)
            if m:
                heads.append((int(m.group(1)), m.group(2) or "", m.group(3)))
            elif line.startswith("thread "):
                heads.append((None, None, line))  # malformed header
        out.append(heads)
    return out


def read_one(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def read(path):
    """REPORT and, for json, the files the shim writes later reports to:
    each JSON report is a document of its own (REPORT, REPORT.2, ...)."""
    text, n = read_one(path), 2
    while os.path.exists(f"{path}.{n}"):
        text += "\n" + read_one(f"{path}.{n}")
        n += 1
    return text


def main():
    cmd, path, fmt = sys.argv[1:4]
    text = read(path)
    dumps = json_dumps(text) if fmt == "json" else debug2_dumps(text)
    if cmd == "count":
        print(len(dumps))
        return 0
    tasks = {}
    with open(sys.argv[4]) as f:
        for line in f:
            tid, _, comm = line.rstrip("\n").partition("\t")
            tasks[int(tid)] = comm
    main_comm = sys.argv[5]
    named = sorted(c for c in tasks.values() if c != main_comm)
    if not dumps:
        print("no complete SIGQUIT dump")
        return 1
    last = dumps[-1]
    ok = True
    if fmt == "json":
        threads = last["threads"]
        tids = {t["tid"] for t in threads}
        if tids != set(tasks):
            print("dump tids %s != /proc tids %s" % (sorted(tids), sorted(tasks)))
            ok = False
        for t in threads:
            if t.get("state") not in STATES or not t.get("reason"):
                print("thread %s has no state/reason: %r" % (t.get("id"), t))
                ok = False
            comm = tasks.get(t["tid"])
            if comm is not None and comm != main_comm and t.get("name", "")[:15] != comm:
                print("thread tid %d is named %r in /proc but %r in the dump"
                      % (t["tid"], comm, t.get("name")))
                ok = False
        summary = ", ".join("%d%s [%s]" % (t["id"], ' "%s"' % t["name"] if t["name"] else "",
                                           t["reason"]) for t in threads)
    else:
        if any(h[0] is None for h in last):
            print("malformed thread header: %r" % [h for h in last if h[0] is None])
            ok = False
        if len(last) != len(tasks):
            print("%d threads in the dump, %d in /proc" % (len(last), len(tasks)))
            ok = False
        names = sorted(h[1][:15] for h in last if h[1])
        if names != named:
            print("dump names %s != /proc names %s" % (names, named))
            ok = False
        summary = ", ".join("%d%s [%s]" % (h[0] or 0, ' "%s"' % h[1] if h[1] else "", h[2])
                            for h in last)
    print(("ok: " if ok else "dump: ") + summary)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
