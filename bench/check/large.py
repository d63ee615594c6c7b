#!/usr/bin/env python3
"""bench/check's large-project mode (LARGE=1 bench/check/run.sh): a real
public project fetched at a pinned commit (sources never committed), its
compile database made with cmake, then, at each -j:

  syntax-only   clang++ -fsyntax-only over the same compile commands, -j at a
                time (the floor; its peak RSS is the largest single clang)
  cold          tether check --cache-dir EMPTY      (nothing cached)
  warm          the same again                      (nothing changed)
  header        one header touched (a comment appended), then the same
  keep-asts     --no-cache with the link phase's ASTs kept (the old default)
  shards        --shard 1/2 and 2/2, then --merge   (--no-cache)

and prints, for each, wall time, peak RSS, the TU passes tether ran
(--analysis-stats), and the ratios to syntax-only. Also checks that warm,
header-changed (against a cold run on the changed tree, run once at the first
-j since the output does not depend on -j), keep-asts and merged runs write
the same JSON as the cold run. Each row is printed as it ends, and each -j's
table once its rows are done.

Environment: LARGE_PROJECT="owner/name COMMIT CMAKE-ARGS..." (default:
RocksDB, below), LARGE_KEEP (regex of TU paths relative to the project to
analyse), LARGE_HEADER (the header to touch, relative), LARGE_JOBS ("1 2"),
LARGE_LIMIT (analyse only the first N TUs: a quick run of the script
itself), LARGE_SKIP (rows to leave out, comma-separated: cold-warm, header,
keep-asts, shards; the JSON comparisons then use a --no-cache run), CLANGXX, TETHER_CORPUS_MIRROR (a mirror of bare repositories, as
for bench/corpus), LARGE_WORKDIR (default: a temporary directory, removed).
"""
import concurrent.futures
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from gitsrc import export_commit, gitdir_for  # noqa: E402

# RocksDB: a database, threads everywhere; 728 TUs in its database at this
# commit, 710 of them library sources that LARGE_KEEP below keeps;
# cmake with no required dependency.
DEFAULT_PROJECT = ("facebook/rocksdb 1dfa7297933df05237ac11376d6cb69d32591b1d "
                   "-DWITH_GFLAGS=OFF -DWITH_TESTS=OFF -DWITH_BENCHMARK_TOOLS=OFF "
                   "-DWITH_TOOLS=OFF -DWITH_CORE_TOOLS=OFF -DWITH_TRACE_TOOLS=OFF "
                   "-DFAIL_ON_WARNINGS=OFF -DWITH_SNAPPY=OFF -DWITH_LZ4=OFF "
                   "-DWITH_ZLIB=OFF -DWITH_ZSTD=OFF -DWITH_BZ2=OFF -DWITH_JEMALLOC=OFF "
                   "-DWITH_LIBURING=OFF -DUSE_RTTI=1")
DEFAULT_KEEP = r"^(db|env|file|memtable|options|port|table|trace_replay|util|utilities|cache|monitoring|logging|memory|test_util)/(?!.*_test\.cc$).*\.cc$"
DEFAULT_HEADER = "util/mutexlock.h"


def die(msg):
    print("bench/check large: " + msg, file=sys.stderr)
    sys.exit(2)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def timed(cmd, log, cwd=None):
    """Wall time (s), peak RSS (KB) and exit code of one command."""
    t0 = time.monotonic()
    with open(log, "w") as out:
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", log + ".rss", *cmd],
                           stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
    t = time.monotonic() - t0
    with open(log + ".rss") as f:
        rss = int(f.read().split()[-1])
    return t, rss, p.returncode


def syntax_commands(db, clangxx):
    """One syntax-only command per TU: the database's flags less output and
    dependency-file flags, plus -fsyntax-only -w (what tether's driver does)."""
    cmds = []
    for e in db:
        args = e.get("arguments") or shlex.split(e["command"])
        out, skip = [clangxx], False
        for a in args[1:]:
            if skip:
                skip = False
                continue
            if a in ("-o", "-MF", "-MT", "-MQ"):
                skip = True
                continue
            if a in ("-c", "-MD", "-MMD") or a.startswith("-o"):
                continue
            out.append(a)
        cmds.append((e["directory"], out + ["-fsyntax-only", "-w"]))
    return cmds


def syntax_only(cmds, jobs, log):
    """The syntax-only pass at -j: wall time and the largest clang's RSS.
    A slot is refilled as soon as any clang in it ends, as a build would."""
    def one(i):
        d, c = cmds[i]
        rss = "%s.%d.rss" % (log, i)
        rc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss, *c], cwd=d,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        if rc != 0:
            return -1, " ".join(c)
        with open(rss) as f:
            return int(f.read().split()[-1]), ""

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(one, range(len(cmds))))
    t = time.monotonic() - t0
    for rss, failed in results:
        if rss < 0:
            die("clang++ -fsyntax-only failed: " + failed)
    return t, max(rss for rss, _ in results)


class Rows(list):
    """The rows of one -j; each is also printed as it ends, so a long run
    that is stopped still shows what it measured."""

    def __init__(self, jobs):
        super().__init__()
        self.jobs = jobs

    def append(self, row):
        super().append(row)
        name, t, rss, passes, note = row
        print("  -j%d  %-28s %8.1fs %7.0fMB %5s  %s"
              % (self.jobs, name, t, rss / 1024, passes, note), flush=True)


def main():
    tether = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else die(
        "usage: large.py TETHER_BINARY")
    clangxx = os.environ.get("CLANGXX", "clang++-19")
    spec = shlex.split(os.environ.get("LARGE_PROJECT", DEFAULT_PROJECT))
    repo, commit, cmake_args = spec[0], spec[1], spec[2:]
    keep = re.compile(os.environ.get("LARGE_KEEP", DEFAULT_KEEP))
    header = os.environ.get("LARGE_HEADER", DEFAULT_HEADER)
    jobs_list = [int(j) for j in os.environ.get("LARGE_JOBS", "1 2").split()]
    limit = int(os.environ.get("LARGE_LIMIT", "0"))
    skip = set(filter(None, os.environ.get("LARGE_SKIP", "").split(",")))
    unknown = skip - {"cold-warm", "header", "keep-asts", "shards"}
    if unknown:
        die("LARGE_SKIP: unknown row(s) " + ", ".join(sorted(unknown)))
    own = "LARGE_WORKDIR" not in os.environ
    work = os.environ.get("LARGE_WORKDIR") or tempfile.mkdtemp(prefix="tether-bench-large.")
    try:
        src, build = os.path.join(work, "src"), os.path.join(work, "build")
        if not os.path.isdir(src):
            os.makedirs(src)
            export_commit(gitdir_for(repo, commit, work), commit, src)
        if not os.path.exists(os.path.join(build, "compile_commands.json")):
            run(["cmake", "-S", src, "-B", build, "-G", "Ninja",
                 "-DCMAKE_CXX_COMPILER=" + clangxx,
                 "-DCMAKE_C_COMPILER=" + clangxx.replace("clang++", "clang"),
                 "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON", *cmake_args],
                stdout=subprocess.DEVNULL)
            # Generated headers some TUs include (none for RocksDB's library).
        full = json.load(open(os.path.join(build, "compile_commands.json")))
        db = [e for e in full
              if keep.search(os.path.relpath(os.path.join(e["directory"], e["file"]), src))]
        if limit:
            db = db[:limit]
        if not db:
            die("no TU of the compile database matches LARGE_KEEP")
        dbdir = os.path.join(work, "db")
        os.makedirs(dbdir, exist_ok=True)
        json.dump(db, open(os.path.join(dbdir, "compile_commands.json"), "w"), indent=1)
        print("project: %s at %s, %d TUs analysed (of %d in its database)"
              % (repo, commit[:12], len(db), len(full)))
        print("tether: %s\ncompiler: %s" % (tether, subprocess.run(
            [clangxx, "--version"], capture_output=True, text=True).stdout.splitlines()[0]))
        cmds = syntax_commands(db, clangxx)
        logs = os.path.join(work, "logs")
        os.makedirs(logs, exist_ok=True)
        hpath = os.path.join(src, header)
        original = open(hpath).read() if os.path.exists(hpath) else None

        def tether_run(name, j, extra):
            out = os.path.join(logs, name + ".json")
            stats = os.path.join(logs, name + ".stats")
            t, rss, rc = timed([tether, "check", "-p", dbdir, "-j", str(j), "--quiet",
                                "--no-unused-suppressions", "-o", "json:" + out,
                                "--analysis-stats=" + stats, *extra],
                               os.path.join(logs, name + ".log"))
            if rc not in (0, 1, 3):
                die("%s exited with %d (see %s.log)" % (name, rc, name))
            s = json.load(open(stats)) if os.path.exists(stats) else {}
            return t, rss, s.get("tether-analysis.NumTUs", 0), out

        def same(a, b):
            return open(a).read() == open(b).read()

        # The JSON does not depend on -j, so the cold run on the changed tree
        # that the header row is checked against runs once, at the first -j.
        header_ref = None
        for j in jobs_list:
            rows = Rows(j)
            ts, rs = syntax_only(cmds, j, os.path.join(logs, "syntax"))
            rows.append(("syntax-only", ts, rs, len(db), ""))
            cache = os.path.join(work, "cache-j%d" % j)
            shutil.rmtree(cache, ignore_errors=True)
            if "cold-warm" in skip:
                cold = tether_run("plain-j%d" % j, j, ["--no-cache"])
                rows.append(("plain (no cache)", *cold[:3], ""))
            else:
                cold = tether_run("cold-j%d" % j, j, ["--cache-dir", cache])
                rows.append(("cold", *cold[:3], ""))
                warm = tether_run("warm-j%d" % j, j, ["--cache-dir", cache])
                rows.append(("warm", *warm[:3], "same JSON" if same(warm[3], cold[3]) else "JSON DIFFERS"))
            if original is not None and "header" not in skip and "cold-warm" not in skip:
                with open(hpath, "a") as f:
                    f.write("\n// touched by bench/check large\n")
                try:
                    hdr = tether_run("header-j%d" % j, j, ["--cache-dir", cache])
                    if header_ref is None:
                        header_ref = (j, tether_run("header-ref-j%d" % j, j, ["--no-cache"])[3])
                finally:
                    with open(hpath, "w") as f:
                        f.write(original)
                rows.append(("header (%s)" % header, *hdr[:3],
                             ("same JSON as a cold run (-j%d)" if same(hdr[3], header_ref[1])
                              else "JSON DIFFERS from a cold run (-j%d)") % header_ref[0]))
            if "keep-asts" not in skip:
                keep_asts = tether_run("keep-asts-j%d" % j, j, ["--no-cache", "--keep-asts"])
                rows.append(("keep-asts (no cache)", *keep_asts[:3],
                             "same JSON" if same(keep_asts[3], cold[3]) else "JSON DIFFERS"))
            shard_t, shard_rss = 0.0, 0
            for i in ((1, 2) if "shards" not in skip else ()):
                sd = os.path.join(work, "shard%d-j%d" % (i, j))
                shutil.rmtree(sd, ignore_errors=True)
                t, rss, rc = timed([tether, "check", "-p", dbdir, "-j", str(j), "--quiet",
                                    "--no-cache", "--shard", "%d/2" % i, "--shard-dir", sd],
                                   os.path.join(logs, "shard%d-j%d.log" % (i, j)))
                if rc != 0:
                    die("shard %d/2 exited with %d" % (i, rc))
                rows.append(("shard %d/2" % i, t, rss, 0, ""))
                shard_t, shard_rss = max(shard_t, t), max(shard_rss, rss)
            merged = None
            if "shards" not in skip:
                merged = tether_run("merge-j%d" % j, j, [
                    "--no-cache", "--merge",
                    ",".join(os.path.join(work, "shard%d-j%d" % (i, j)) for i in (1, 2))])
                rows.append(("merge", *merged[:3],
                             "same JSON" if same(merged[3], cold[3]) else "JSON DIFFERS"))
            print("\n-j%d" % j)
            print("  %-28s %9s %7s %9s %7s %9s" % ("run", "time", "x syn", "peak RSS", "x syn", "TU passes"))
            for name, t, rss, passes, note in rows:
                print("  %-28s %8.1fs %7.2f %7.0fMB %7.2f %9s  %s"
                      % (name, t, t / ts, rss / 1024, rss / rs, passes, note))
            print("  bound: peak RSS <= %d x 1.5 x largest syntax-only = %.0f MB;"
                  " time <= 1.10 x syntax-only" % (j, j * 1.5 * rs / 1024))
            if merged:
                print("  sharded on two machines: %.1fs (slowest shard) + %.1fs merge"
                      % (shard_t, merged[0]))
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
