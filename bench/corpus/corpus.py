#!/usr/bin/env python3
"""The real-code corpus: fetch public projects at pinned commits, make their
compile databases, run `tether check --checks=*` on them, and score the
findings against the committed triage.

    bench/corpus/corpus.py fetch     [--only ID,...]
    bench/corpus/corpus.py configure [--only ID,...]
    bench/corpus/corpus.py check     [--only ID,...] [--tether PATH] [-j N]
    bench/corpus/corpus.py score     [--set dev|holdout|all] [--untriaged]
    bench/corpus/corpus.py all       (fetch, configure, check, score)

Work directory: $TETHER_CORPUS_DIR (default: corpus/ under the build
directory's parent, i.e. the repository's .corpus/ — never committed).
Sources come from a local mirror when $TETHER_CORPUS_MIRROR names a folder
holding OWNER+NAME/repo bare repositories, else from GitHub (a shallow fetch
of the pinned commit). Nothing here is committed but projects.tsv,
triage.tsv and this script.

Scoring (docs/accuracy.md): a finding is identified by project, check and
primary location (path:line); its verdict comes from triage.tsv (TP-bug,
TP-risk, FP). Precision = (TP-bug + TP-risk) / triaged findings.
"""
import argparse
import collections
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
PROJECTS = os.path.join(HERE, "projects.tsv")
TRIAGE = os.path.join(HERE, "triage.tsv")
VERDICTS = ("TP-bug", "TP-risk", "FP")
CXX_EXT = re.compile(r"\.(cc|cpp|cxx|c\+\+|h|hh|hpp|hxx|inl|ipp)$")
THIRD_PARTY = re.compile(r"(^|/)(3rd-?party|third[_-]?party|thirdparty|vendor|external|extern|deps)/")


def die(msg, code=2):
    print(f"corpus: {msg}", file=sys.stderr)
    sys.exit(code)


class Project:
    def __init__(self, fields):
        (self.id, self.repo, self.commit, self.set, self.cmake_dir,
         self.keep, args) = fields
        self.cmake_args = shlex.split(args)
        self.keep_re = re.compile(self.keep)


def load_projects():
    out = []
    with open(PROJECTS) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) == 6:
                fields.append("")
            if len(fields) != 7:
                die(f"projects.tsv:{n}: expected 7 tab-separated columns")
            p = Project(fields)
            if p.set not in ("dev", "holdout"):
                die(f"projects.tsv:{n}: set must be dev or holdout")
            if not re.fullmatch(r"[0-9a-f]{40}", p.commit):
                die(f"projects.tsv:{n}: commit must be 40 hex digits")
            out.append(p)
    return out


def workdir():
    d = os.environ.get("TETHER_CORPUS_DIR") or os.path.join(REPO, ".corpus")
    os.makedirs(d, exist_ok=True)
    return d


def selected(args):
    return pick(load_projects(), getattr(args, "only", None), "project(s)", die)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


# --- fetch -------------------------------------------------------------------

def fetch(args):
    wd = workdir()
    for p in selected(args):
        dest = os.path.join(wd, "src", p.id)
        stamp = os.path.join(dest, ".corpus-commit")
        if os.path.exists(stamp) and open(stamp).read().strip() == p.commit:
            continue
        shutil.rmtree(dest, ignore_errors=True)
        os.makedirs(dest)
        try:
            export_commit(gitdir_for(p.repo, p.commit, wd), p.commit, dest)
        except (SourceError, subprocess.CalledProcessError) as e:
            die(f"{p.id}: {e}")
        with open(stamp, "w") as f:
            f.write(p.commit + "\n")
        print(f"corpus: {p.id}: fetched {p.repo}@{p.commit[:12]}")


# --- configure ---------------------------------------------------------------

def configure(args):
    wd = workdir()
    cxx = os.environ.get("CLANGXX", "clang++-19")
    cc = os.environ.get("CLANGCC", "clang-19")
    for p in selected(args):
        src = os.path.join(wd, "src", p.id)
        if not os.path.isdir(src):
            die(f"{p.id}: not fetched (run: corpus.py fetch)")
        build = os.path.join(wd, "build", p.id)
        shutil.rmtree(build, ignore_errors=True)
        os.makedirs(build)
        if p.cmake_dir == "-":
            # No build system worth configuring: every kept file with the
            # listed flags.
            entries = []
            for root, _, files in os.walk(src):
                for name in files:
                    rel = os.path.relpath(os.path.join(root, name), src)
                    if p.keep_re.search(rel):
                        entries.append({"directory": src, "file": rel,
                                        "arguments": [cxx, *p.cmake_args, "-c", rel]})
            with open(os.path.join(build, "compile_commands.json"), "w") as f:
                json.dump(entries, f, indent=1)
        else:
            log = os.path.join(build, "configure.log")
            with open(log, "w") as lf:
                r = subprocess.run(
                    ["cmake", "-S", os.path.join(src, p.cmake_dir), "-B", build,
                     "-G", "Ninja", f"-DCMAKE_CXX_COMPILER={cxx}",
                     f"-DCMAKE_C_COMPILER={cc}", "-DCMAKE_BUILD_TYPE=Debug",
                     "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
                     *[a.replace("{src}", src) for a in p.cmake_args]],
                    stdout=lf, stderr=subprocess.STDOUT)
            if r.returncode != 0:
                die(f"{p.id}: cmake failed, see {log}")
        kept = filter_db(p, src, build)
        print(f"corpus: {p.id}: {kept} TUs")


def filter_db(p, src, build):
    with open(os.path.join(build, "compile_commands.json")) as f:
        db = json.load(f)
    out, seen = [], set()
    for e in db:
        path = os.path.normpath(os.path.join(e["directory"], e["file"]))
        rel = os.path.relpath(path, src)
        if rel in seen or rel.startswith("..") or THIRD_PARTY.search(rel):
            continue
        if not p.keep_re.search(rel) or not os.path.exists(path):
            continue
        seen.add(rel)
        out.append(e)
    d = os.path.join(build, "tether")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "compile_commands.json"), "w") as f:
        json.dump(out, f, indent=1)
    return len(out)


def kloc(p, src):
    """Non-blank lines of the analysed TUs and the project's own headers."""
    with open(os.path.join(workdir(), "build", p.id, "tether",
                           "compile_commands.json")) as f:
        tus = {os.path.normpath(os.path.join(e["directory"], e["file"])) for e in json.load(f)}
    files = set(tus)
    for root, _, names in os.walk(src):
        for name in names:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src)
            if (CXX_EXT.search(name) and not name.endswith((".cc", ".cpp", ".cxx"))
                    and not THIRD_PARTY.search(rel) and not rel.startswith(".")):
                files.add(path)
    lines = 0
    for path in files:
        try:
            with open(path, errors="replace") as f:
                lines += sum(1 for l in f if l.strip())
        except OSError:
            pass
    return lines / 1000.0


# --- check -------------------------------------------------------------------

def check(args):
    wd = workdir()
    tether = args.tether or os.path.join(REPO, "build", "bin", "tether")
    if not os.access(tether, os.X_OK):
        die(f"no tether at {tether} (build it, or pass --tether)")
    os.makedirs(os.path.join(wd, "out"), exist_ok=True)
    for p in selected(args):
        src = os.path.join(wd, "src", p.id)
        db = os.path.join(wd, "build", p.id, "tether")
        if not os.path.exists(os.path.join(db, "compile_commands.json")):
            die(f"{p.id}: not configured (run: corpus.py configure)")
        out = os.path.join(wd, "out", p.id + ".json")
        err = os.path.join(wd, "out", p.id + ".stderr")
        # The project's own .tether.yaml (none of them has one) would apply;
        # otherwise the defaults, with every check enabled.
        cmd = ["/usr/bin/time", "-f", "%e %M", "-o", out + ".time", tether,
               "check", "-p", db, "--checks=*", "-j", str(args.j), "--quiet",
               "-o", "json:" + out]
        t0 = time.time()
        with open(err, "w") as ef:
            r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=ef)
        secs, rss = open(out + ".time").read().split()[-2:]
        meta = {"exit": r.returncode, "seconds": float(secs),
                "peak_rss_mb": int(rss) / 1024.0, "kloc": kloc(p, src),
                "commit": p.commit}
        with open(out + ".meta", "w") as f:
            json.dump(meta, f)
        n = len(json.load(open(out))["findings"]) if os.path.exists(out) else -1
        print(f"corpus: {p.id}: exit {r.returncode}, {n} findings, "
              f"{meta['seconds']:.0f} s, {meta['peak_rss_mb']:.0f} MB, "
              f"{meta['kloc']:.1f} KLOC ({time.time() - t0:.0f} s)")


# --- score -------------------------------------------------------------------

def load_triage():
    out = {}
    if not os.path.exists(TRIAGE):
        return out
    with open(TRIAGE) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 6:
                die(f"triage.tsv:{n}: expected 6 tab-separated columns")
            pid, commit, chk, loc, verdict, reason = fields
            if verdict not in VERDICTS:
                die(f"triage.tsv:{n}: verdict must be one of {', '.join(VERDICTS)}")
            out[(pid, chk, loc)] = (verdict, reason, commit)
    return out


def score(args):
    wd = workdir()
    triage = load_triage()
    ps = [p for p in load_projects() if args.set == "all" or p.set == args.set]
    per_check = collections.defaultdict(collections.Counter)
    total_kloc, crashes, untriaged = 0.0, 0, []
    rows = []
    for p in ps:
        out = os.path.join(wd, "out", p.id + ".json")
        if not os.path.exists(out + ".meta"):
            print(f"corpus: {p.id}: not checked", file=sys.stderr)
            continue
        meta = json.load(open(out + ".meta"))
        total_kloc += meta["kloc"]
        data = json.load(open(out))
        errs = data.get("errors", [])
        crashes += sum(1 for e in errs if "crash" in json.dumps(e).lower())
        c = collections.Counter()
        src = os.path.join(wd, "src", p.id)
        for f in data["findings"]:
            path = f["file"]
            if os.path.isabs(path):
                path = os.path.relpath(path, src)
            key = (p.id, f["check"], f"{path}:{f['line']}")
            v = triage.get(key, ("untriaged",))[0]
            per_check[f["check"]][v] += 1
            c[v] += 1
            if v == "untriaged":
                untriaged.append((key, f["message"]))
        rows.append((p.id, p.set, meta["kloc"], len(data["findings"]), c,
                     meta["seconds"], meta["peak_rss_mb"], len(errs)))
    print(f"{'project':16} {'set':8} {'KLOC':>6} {'find':>5} {'TP':>4} {'FP':>4} "
          f"{'untr':>5} {'sec':>6} {'MB':>6} {'errs':>5}")
    for pid, st, k, n, c, s, m, e in rows:
        tp = c["TP-bug"] + c["TP-risk"]
        print(f"{pid:16} {st:8} {k:6.1f} {n:5} {tp:4} {c['FP']:4} "
              f"{c['untriaged']:5} {s:6.0f} {m:6.0f} {e:5}")
    print()
    print(f"{'check':36} {'find':>5} {'TP-bug':>6} {'TP-risk':>7} {'FP':>4} {'untr':>5} {'prec':>6}")
    tot = collections.Counter()
    for chk in sorted(per_check):
        c = per_check[chk]
        tot.update(c)
        n = sum(c.values())
        tri = n - c["untriaged"]
        prec = f"{100.0 * (c['TP-bug'] + c['TP-risk']) / tri:5.0f}%" if tri else "    -"
        print(f"{chk:36} {n:5} {c['TP-bug']:6} {c['TP-risk']:7} {c['FP']:4} "
              f"{c['untriaged']:5} {prec:>6}")
    n = sum(tot.values())
    tri = n - tot["untriaged"]
    tp = tot["TP-bug"] + tot["TP-risk"]
    print()
    print(f"set={args.set}: {len(rows)} projects, {total_kloc:.1f} KLOC, {n} findings, "
          f"{tri} triaged, crashes {crashes}")
    if tri:
        print(f"precision {100.0 * tp / tri:.1f}% ({tp}/{tri}), "
              f"FP per 10 KLOC {10.0 * tot['FP'] / max(total_kloc, 1e-9):.2f}")
    if args.untriaged:
        for (pid, chk, loc), msg in untriaged:
            print(f"{pid}\t{chk}\t{loc}\t{msg}")
    return 1 if untriaged and args.require_triaged else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("fetch", "configure", "check", "all"):
        s = sub.add_parser(name)
        s.add_argument("--only")
        if name in ("check", "all"):
            s.add_argument("--tether")
            s.add_argument("-j", type=int, default=os.cpu_count() or 1)
    s = sub.add_parser("score")
    s.add_argument("--set", default="all", choices=("dev", "holdout", "all"))
    s.add_argument("--untriaged", action="store_true",
                   help="list the findings triage.tsv has no verdict for")
    s.add_argument("--require-triaged", action="store_true",
                   help="exit 1 when a finding has no verdict")
    args = ap.parse_args()
    if args.cmd in ("fetch", "all"):
        fetch(args)
    if args.cmd in ("configure", "all"):
        configure(args)
    if args.cmd in ("check", "all"):
        check(args)
    if args.cmd == "all":
        args.set, args.untriaged, args.require_triaged = "all", True, False
    if args.cmd in ("score", "all"):
        sys.exit(score(args))


if __name__ == "__main__":
    main()
