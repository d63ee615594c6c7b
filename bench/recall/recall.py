#!/usr/bin/env python3
"""The recall suite: real concurrency bugs fixed in public C++ projects, each
checked out before and after its fix, analysed with `tether check --checks=*`
on the translation units that hold (or include) the bug, and scored.

    bench/recall/recall.py fetch     [--only ID,...]
    bench/recall/recall.py configure [--only ID,...]
    bench/recall/recall.py check     [--only ID,...] [--tether PATH]
    bench/recall/recall.py score     [--only ID,...] [--verbose]
    bench/recall/recall.py all       (fetch, configure, check, score)

Work directory: $TETHER_RECALL_DIR (default: the repository's .recall/, never
committed). Sources come from a local mirror when $TETHER_CORPUS_MIRROR names
a folder holding OWNER+NAME/repo bare repositories, else from GitHub (a
shallow fetch of each pinned commit). Nothing here is committed but bugs.tsv
and this script.

Scoring: a bug is *found* when the pre-fix version has a finding of the
expected check whose primary location, or one of whose notes, is in the
recorded file within +-3 lines of the recorded line. Its fixed version is
*clean* when it has no finding of that check within +-3 lines of the same
place, carried over to the fixed file through a line diff of the two versions.
"""
import argparse
import difflib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gitsrc import SourceError, export_commit, gitdir_for, pick  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BUGS = os.path.join(HERE, "bugs.tsv")
COLUMNS = ("id", "repo", "fixed", "prefix", "kind", "check", "location", "url",
           "build", "tus", "where", "description")
SIDES = ("pre", "fixed")
SLACK = 3
HEADER_EXT = (".h", ".hh", ".hpp", ".hxx", ".inl", ".ipp")


def die(msg, code=2):
    print(f"recall: {msg}", file=sys.stderr)
    sys.exit(code)


class Bug:
    def __init__(self, fields, where):
        for name, value in zip(COLUMNS, fields):
            setattr(self, name, value)
        for name in ("fixed", "prefix"):
            if not re.fullmatch(r"[0-9a-f]{40}", getattr(self, name)):
                die(f"{where}: {name} commit must be 40 hex digits")
        m = re.fullmatch(r"(.+):(\d+)", self.location)
        if not m:
            die(f"{where}: location must be FILE:LINE")
        self.file, self.line = m.group(1), int(m.group(2))
        self.tu_list = [t for t in self.tus.split(",") if t]
        if not self.tu_list:
            die(f"{where}: no translation unit named")
        kind, _, args = self.build.partition(":")
        if kind not in ("flags",) and not kind.startswith("cmake"):
            die(f"{where}: build must be 'flags: ARGS' or 'cmake[=DIR]: ARGS'")
        self.build_kind = "flags" if kind == "flags" else "cmake"
        self.cmake_dir = kind.partition("=")[2] or "."
        self.build_args = shlex.split(args)

    def commit(self, side):
        return self.prefix if side == "pre" else self.fixed


def load_bugs():
    out, seen = [], set()
    with open(BUGS) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != len(COLUMNS):
                die(f"bugs.tsv:{n}: expected {len(COLUMNS)} tab-separated columns, "
                    f"got {len(fields)}")
            b = Bug(fields, f"bugs.tsv:{n}")
            if b.id in seen:
                die(f"bugs.tsv:{n}: duplicate id {b.id}")
            seen.add(b.id)
            out.append(b)
    return out


def selected(args):
    return pick(load_bugs(), getattr(args, "only", None), "bug(s)", die)


def workdir():
    d = os.environ.get("TETHER_RECALL_DIR") or os.path.join(REPO, ".recall")
    os.makedirs(d, exist_ok=True)
    return os.path.abspath(d)


def src_dir(bug, side):
    return os.path.join(workdir(), "src", bug.id, side)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


# --- fetch -------------------------------------------------------------------

def fetch(args):
    for bug in selected(args):
        for side in SIDES:
            commit = bug.commit(side)
            dest = src_dir(bug, side)
            stamp = os.path.join(dest, ".recall-commit")
            if os.path.exists(stamp) and open(stamp).read().strip() == commit:
                continue
            shutil.rmtree(dest, ignore_errors=True)
            os.makedirs(dest)
            try:
                export_commit(gitdir_for(bug.repo, commit, workdir()), commit, dest)
            except (SourceError, subprocess.CalledProcessError) as e:
                die(f"{bug.id}: {e}")
            with open(stamp, "w") as f:
                f.write(commit + "\n")
            print(f"recall: {bug.id}: {side} {bug.repo}@{commit[:12]}")


# --- configure ---------------------------------------------------------------

def db_dir(bug, side):
    return os.path.join(workdir(), "build", bug.id, side)


def configure(args):
    cxx = os.environ.get("CLANGXX", "clang++-19")
    cc = os.environ.get("CLANGCC", "clang-19")
    for bug in selected(args):
        for side in SIDES:
            src = src_dir(bug, side)
            if not os.path.isdir(src):
                die(f"{bug.id}: not fetched (run: recall.py fetch)")
            build = db_dir(bug, side)
            shutil.rmtree(build, ignore_errors=True)
            os.makedirs(build)
            if bug.build_kind == "flags":
                # --stub=NAME: an empty header standing for one a configure
                # step would generate (config.h), on the include path.
                flags, stubs = [], os.path.join(build, "stubs")
                for a in bug.build_args:
                    if a.startswith("--stub="):
                        path = os.path.join(stubs, a[len("--stub="):])
                        os.makedirs(os.path.dirname(path), exist_ok=True)
                        open(path, "w").close()
                        if "-I" + stubs not in flags:
                            flags.append("-I" + stubs)
                    else:
                        flags.append(a)
                entries = []
                for tu in bug.tu_list:
                    lang = ["-x", "c++"] if tu.endswith(HEADER_EXT) else []
                    entries.append({"directory": src, "file": tu,
                                    "arguments": [cxx, *flags, *lang, "-c", tu]})
            else:
                log = os.path.join(build, "configure.log")
                with open(log, "w") as lf:
                    r = subprocess.run(
                        ["cmake", "-S", os.path.join(src, bug.cmake_dir), "-B", build,
                         "-G", "Ninja", f"-DCMAKE_CXX_COMPILER={cxx}",
                         f"-DCMAKE_C_COMPILER={cc}", "-DCMAKE_BUILD_TYPE=Debug",
                         "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON", *bug.build_args],
                        stdout=lf, stderr=subprocess.STDOUT)
                if r.returncode != 0:
                    die(f"{bug.id}: cmake failed on the {side} version, see {log}")
                with open(os.path.join(build, "compile_commands.json")) as f:
                    full = json.load(f)
                want = {os.path.normpath(os.path.join(src, t)) for t in bug.tu_list}
                entries = [e for e in full
                           if os.path.normpath(os.path.join(e["directory"], e["file"])) in want]
                if len(entries) != len(want):
                    die(f"{bug.id}: the {side} compile database lacks some of {bug.tus}")
            d = os.path.join(build, "tether")
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "compile_commands.json"), "w") as f:
                json.dump(entries, f, indent=1)
        print(f"recall: {bug.id}: {len(bug.tu_list)} TU(s) x {len(SIDES)} versions")


# --- check -------------------------------------------------------------------

def out_path(bug, side):
    return os.path.join(workdir(), "out", f"{bug.id}.{side}.json")


def source_root(db, cwd):
    """The directory tether reports relative paths against: the nearest
    ancestor of the compile database holding .git, else its working
    directory."""
    d = os.path.abspath(db)
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        up = os.path.dirname(d)
        if up == d:
            return cwd
        d = up


def check(args):
    tether = os.path.abspath(args.tether or os.path.join(REPO, "build", "bin", "tether"))
    if not os.access(tether, os.X_OK):
        die(f"no tether at {tether} (build it, or pass --tether)")
    os.makedirs(os.path.join(workdir(), "out"), exist_ok=True)
    for bug in selected(args):
        for side in SIDES:
            src = src_dir(bug, side)
            db = os.path.join(db_dir(bug, side), "tether")
            if not os.path.exists(os.path.join(db, "compile_commands.json")):
                die(f"{bug.id}: not configured (run: recall.py configure)")
            out = out_path(bug, side)
            if os.path.exists(out):
                os.remove(out)
            # Headers of the project itself are analysed too (many of these
            # bugs live in header-only libraries); system headers are not.
            cmd = ["nice", "-n", "19", tether, "check", "-p", db, "--checks=*",
                   "-j", "1", "--quiet", "--header-filter=^" + re.escape(os.path.realpath(src)) + "/",
                   "-o", "json:" + out,
                   *[os.path.join(src, t) for t in bug.tu_list]]
            t0 = time.time()
            with open(out + ".stderr", "w") as ef:
                r = subprocess.run(cmd, cwd=src, stdout=subprocess.DEVNULL, stderr=ef)
            with open(out + ".meta", "w") as f:
                json.dump({"exit": r.returncode, "seconds": time.time() - t0,
                           "commit": bug.commit(side), "root": source_root(db, src)}, f)
            n = len(json.load(open(out))["findings"]) if os.path.exists(out) else -1
            print(f"recall: {bug.id}: {side}: exit {r.returncode}, {n} findings, "
                  f"{time.time() - t0:.0f} s")


# --- score -------------------------------------------------------------------

def carry_line(old_path, new_path, line):
    """The line of `new_path` that corresponds to `line` of `old_path`: the same
    line when it is unchanged, else the first line of the hunk replacing it."""
    with open(old_path, errors="replace") as f:
        old = f.readlines()
    with open(new_path, errors="replace") as f:
        new = f.readlines()
    sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if i1 <= line - 1 < i2:
            if tag == "equal":
                return j1 + (line - 1 - i1) + 1
            return j1 + 1
    return line


def norm(src, path):
    return os.path.normpath(path if os.path.isabs(path) else os.path.join(src, path))


def near(root, finding, path, line):
    """Does the finding (its primary location or a note) sit at path:line +-SLACK?"""
    places = [(finding["file"], finding["line"])]
    places += [(n["file"], n["line"]) for n in finding.get("notes", []) if "file" in n]
    return any(norm(root, f) == path and abs(l - line) <= SLACK for f, l in places)


def score(args):
    rows, found, dirty, missing = [], 0, 0, 0
    for bug in selected(args):
        res = {}
        for side in SIDES:
            out = out_path(bug, side)
            if not os.path.exists(out + ".meta"):
                res[side] = None
                continue
            meta = json.load(open(out + ".meta"))
            data = json.load(open(out)) if os.path.exists(out) else {"findings": [], "errors": []}
            src = src_dir(bug, side)
            if side == "pre":
                path, line = norm(src, bug.file), bug.line
            else:
                path = norm(src, bug.file)
                line = carry_line(norm(src_dir(bug, "pre"), bug.file), path, bug.line) \
                    if os.path.exists(path) else bug.line
            same = [f for f in data["findings"] if f["check"] == bug.check]
            root = meta.get("root") or source_root(os.path.join(db_dir(bug, side), "tether"), src)
            hits = [f for f in same if near(root, f, path, line)]
            res[side] = {"hits": hits, "same": len(same), "all": len(data["findings"]),
                         "errors": len(data.get("errors", [])), "exit": meta["exit"],
                         "line": line}
        pre, fix = res["pre"], res["fixed"]
        if pre is None or fix is None:
            missing += 1
            rows.append((bug, "-", "-", "not checked", ""))
            continue
        ok = bool(pre["hits"])
        clean = not fix["hits"]
        found += ok
        dirty += not clean
        note = ""
        if pre["errors"] or fix["errors"] or pre["exit"] not in (0, 1) or fix["exit"] not in (0, 1):
            note = f"errors {pre['errors']}/{fix['errors']}, exit {pre['exit']}/{fix['exit']}"
        rows.append((bug, "found" if ok else "MISSED", "clean" if clean else "FLAGGED",
                     f"{pre['same']}/{fix['same']}", note))
        if args.verbose:
            for side in SIDES:
                for f in res[side]["hits"]:
                    print(f"  {bug.id} {side}: {f['file']}:{f['line']}: {f['message']}")
    w = max([len(r[0].id) for r in rows] + [2])
    print(f"{'id':{w}} {'check':28} {'pre-fix':7} {'fixed':8} {'same-check':>10}  notes")
    for bug, a, b, c, note in rows:
        print(f"{bug.id:{w}} {bug.check:28} {a:7} {b:8} {c:>10}  {note}")
    n = len(rows) - missing
    print()
    print(f"found {found}/{n} at the recorded place in the pre-fix version; "
          f"fixed-version findings at that place: {dirty}/{n}"
          + (f"; {missing} not checked" if missing else ""))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("fetch", "configure", "check", "score", "all"):
        s = sub.add_parser(name)
        s.add_argument("--only")
        if name in ("check", "all"):
            s.add_argument("--tether")
        if name in ("score", "all"):
            s.add_argument("--verbose", action="store_true",
                           help="print the matching findings")
    args = ap.parse_args()
    if args.cmd in ("fetch", "all"):
        fetch(args)
    if args.cmd in ("configure", "all"):
        configure(args)
    if args.cmd in ("check", "all"):
        check(args)
    if args.cmd in ("score", "all"):
        sys.exit(score(args))


if __name__ == "__main__":
    main()
