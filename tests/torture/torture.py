#!/usr/bin/env python3
"""Torture inputs for `tether check` and `tether models`.

Each case runs tether on bad or odd input in a fresh sandbox and asserts the
exit code, the message, and that nothing outside what the case names changed
(a checksum of every file, link, device and FIFO in the sandbox, taken
without following links). Usage: torture.py TETHER CASE
"""
import hashlib
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import threading

CACHE_HOME = tempfile.TemporaryDirectory(prefix="tether-torture-cache-")

TETHER = None

CHAN_H = """#pragma once
namespace boost { namespace fibers {
enum class channel_op_status { success, empty, full, closed, timeout };
template <typename T> class buffered_channel {
public:
  explicit buffered_channel(unsigned long) {}
  channel_op_status push(T) { return channel_op_status::success; }
  channel_op_status pop(T &) { return channel_op_status::success; }
  void close() noexcept {}
  bool is_closed() const { return false; }
};
} }
using Chan = boost::fibers::buffered_channel<int>;
"""

# channel-double-close at 5:6.
BUG_CPP = """#include "chan.h"
void stop(Chan &ch, bool failed) {
  if (failed)
    ch.close();
  ch.close();
}
"""

CLEAN_CPP = """#include "chan.h"
void produce(Chan &ch) {
  ch.push(1);
  ch.close();
}
"""

# thread-loop-capture-by-ref with the fix-it [&i] -> [i].
LOOP_CPP = """#include <thread>
#include <vector>
void record(int shard);
void start(std::vector<std::thread> &ts) {
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&i] { record(i); });
}
"""


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


class Box:
    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="tether-torture-")

    def path(self, *p):
        return os.path.join(self.root, *p)

    def write(self, rel, text, mode=None):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
        if mode is not None:
            os.chmod(p, mode)
        return p

    def read(self, rel):
        with open(self.path(rel)) as f:
            return f.read()

    def db(self, files, directory=".", where="compile_commands.json",
           extra=()):
        entries = [{"directory": directory, "file": f,
                    "arguments": ["clang++", "-std=c++20", *extra, "-c", f]}
                   for f in files]
        self.write(where, json.dumps(entries))

    def project(self):
        self.write("chan.h", CHAN_H)
        self.write("bug.cpp", BUG_CPP)
        self.write("clean.cpp", CLEAN_CPP)
        self.db(["bug.cpp", "clean.cpp"])

    def snapshot(self):
        """Every entry below the root, without following links."""
        snap = {}
        for dirpath, dirnames, filenames in os.walk(self.root):
            for name in dirnames + filenames:
                p = os.path.join(dirpath, name)
                st = os.lstat(p)
                rel = os.path.relpath(p, self.root)
                kind = stat.S_IFMT(st.st_mode)
                info = (kind, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid,
                        st.st_nlink)
                if stat.S_ISLNK(st.st_mode):
                    info += (os.readlink(p),)
                elif stat.S_ISREG(st.st_mode):
                    with open(p, "rb") as f:
                        info += (hashlib.sha256(f.read()).hexdigest(),)
                snap[rel] = info
        return snap

    def run(self, args, cwd=None, timeout=120, stdin=subprocess.DEVNULL):
        try:
            # The result cache's default place, in a directory of the
            # test's (outside the sandbox, whose files are compared): never
            # the user's ~/.cache.
            env = dict(os.environ, XDG_CACHE_HOME=CACHE_HOME.name)
            p = subprocess.run([TETHER, *args], cwd=cwd or self.root,
                               stdin=stdin, capture_output=True, text=True,
                               errors="replace", timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            raise Failure(f"tether {' '.join(args)} hung (> {timeout} s)")
        if p.returncode < 0:
            raise Failure(f"tether {' '.join(args)} died of signal "
                          f"{-p.returncode}\n{p.stderr[-2000:]}")
        return p

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)


def expect(p, code, err_has=None, out_has=None):
    where = f"exit {p.returncode}\nstdout: {p.stdout[-1500:]}\nstderr: {p.stderr[-1500:]}"
    check(p.returncode == code, f"expected exit {code}, got {where}")
    if err_has is not None:
        # Errors go to stderr, or into the text report when it is on stdout.
        check(err_has in p.stderr + p.stdout,
              f"expected {err_has!r} in the output; {where}")
    if out_has is not None:
        check(out_has in p.stdout, f"expected {out_has!r} on stdout; {where}")
    check("Stack dump" not in p.stderr and "PLEASE submit" not in p.stderr,
          f"a crash report on stderr: {where}")


def unchanged(before, after, allowed=()):
    """Everything but the allowed paths is exactly as it was."""
    for rel in set(before) | set(after):
        if rel in allowed:
            continue
        check(before.get(rel) == after.get(rel),
              f"'{rel}' changed: {before.get(rel)} -> {after.get(rel)}")


def require_root():
    if os.geteuid() != 0:
        print("SKIP: needs root")
        sys.exit(0)


# ---------------------------------------------------------------------------
# Output files (security)

def case_output_tmp_symlink_not_followed(b):
    b.project()
    b.write("victim.txt", "precious\n")
    os.symlink(b.path("victim.txt"), b.path("out.json.tmp"))
    b.write("mine.txt.tmp", "the user's own file\n")
    before = b.snapshot()
    p = b.run(["check", "-p", ".", "-o", "out.json", "-o", "mine.txt",
               "--quiet"])
    expect(p, 1)
    after = b.snapshot()
    unchanged(before, after, {"out.json", "mine.txt"})
    json.loads(b.read("out.json"))
    check("channel-double-close" in b.read("mine.txt"), "text report")


def case_output_device_written_in_place(b):
    require_root()
    b.project()
    before_null = os.stat("/dev/null")
    p = b.run(["check", "-p", ".", "-o", "json:/dev/null", "--quiet"])
    expect(p, 1)
    st = os.lstat("/dev/null")
    check(stat.S_ISCHR(st.st_mode) and st.st_rdev == before_null.st_rdev,
          "/dev/null is no longer the null device")
    # /dev/stdout: a system link, followed; the report reaches stdout.
    p = b.run(["check", "-p", ".", "-o", "json:/dev/stdout", "--quiet"])
    expect(p, 1)
    check(json.loads(p.stdout)["findings"], "JSON on stdout")
    check(os.path.islink("/dev/stdout"), "/dev/stdout is no longer a link")
    # /dev/full: written in place, fails with a clear message and exit 4.
    p = b.run(["check", "-p", ".", "--write-baseline", "/dev/full", "--quiet"])
    expect(p, 4, err_has="/dev/full: cannot write baseline: No space left")
    check(stat.S_ISCHR(os.lstat("/dev/full").st_mode), "/dev/full replaced")


def case_output_fifo(b):
    b.project()
    fifo = b.path("out.fifo")
    os.mkfifo(fifo)
    before = b.snapshot()
    # No reader: refused at once, never waited on.
    p = b.run(["check", "-p", ".", "-o", "json:out.fifo", "--quiet"],
              timeout=60)
    expect(p, 4, err_has="cannot write 'out.fifo': it is a FIFO with no reader")
    # A reader: the report goes through the FIFO.
    got = {}

    def reader():
        with open(fifo) as f:
            got["text"] = f.read()
    t = threading.Thread(target=reader)
    t.start()
    for _ in range(100):  # let the reader open its end first
        if t.is_alive():
            break
    import time
    time.sleep(0.3)
    p = b.run(["check", "-p", ".", "-o", "json:out.fifo", "--quiet"],
              timeout=60)
    t.join(30)
    expect(p, 1)
    check(json.loads(got.get("text", "null")) is not None, "JSON via FIFO")
    unchanged(before, b.snapshot())


def case_output_symlink_refused(b):
    b.project()
    b.write("victim.json", "{}\n")
    os.symlink("victim.json", b.path("out.json"))
    before = b.snapshot()
    p = b.run(["check", "-p", ".", "-o", "out.json", "--quiet"])
    expect(p, 2, err_has="cannot write 'out.json': it is a symbolic link")
    unchanged(before, b.snapshot())


def case_output_keeps_mode_and_owner(b):
    b.project()
    b.write("out.json", "old\n", mode=0o640)
    owner = None
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(b.path("out.json"), nobody.pw_uid, nobody.pw_gid)
        owner = (nobody.pw_uid, nobody.pw_gid)
    p = b.run(["check", "-p", ".", "-o", "out.json", "--quiet"])
    expect(p, 1)
    st = os.stat(b.path("out.json"))
    check(stat.S_IMODE(st.st_mode) == 0o640, f"mode {oct(st.st_mode)}")
    if owner:
        check((st.st_uid, st.st_gid) == owner, f"owner {st.st_uid}:{st.st_gid}")
    json.loads(b.read("out.json"))


def case_output_hard_link_kept(b):
    b.project()
    b.write("out.json", "old\n")
    os.link(b.path("out.json"), b.path("other-name.json"))
    p = b.run(["check", "-p", ".", "-o", "out.json", "--quiet"])
    expect(p, 1)
    check(os.stat(b.path("out.json")).st_nlink == 2, "hard link broken")
    check(b.read("other-name.json") == b.read("out.json"), "link differs")


def case_output_onto_input_refused(b):
    b.project()
    b.write("base.json", '{"version": 1, "fingerprints": []}\n')
    before = b.snapshot()
    for target in ["bug.cpp", "compile_commands.json", "json:base.json"]:
        p = b.run(["check", "-p", ".", "--baseline", "base.json", "-o", target,
                   "--quiet"])
        expect(p, 2, err_has="refusing to write")
    unchanged(before, b.snapshot())


def case_output_bad_names(b):
    b.project()
    os.mkdir(b.path("reports"))
    before = b.snapshot()
    p = b.run(["check", "-p", ".", "-o", ""])
    expect(p, 2, err_has="names no file")
    p = b.run(["check", "-p", ".", "-o", "json:"])
    expect(p, 2, err_has="names no file")
    p = b.run(["check", "-p", ".", "-o", "reports"])
    expect(p, 2, err_has="cannot write 'reports': it is a directory")
    p = b.run(["check", "-p", ".", "--write-baseline", ""])
    expect(p, 2, err_has="--write-baseline needs a file name")
    p = b.run(["check", "-p", ".", "-o", "no-such-dir/out.json", "--quiet"])
    expect(p, 4, err_has="cannot write 'no-such-dir/out.json'")
    unchanged(before, b.snapshot())


def case_fix_keeps_owner_and_hard_links(b):
    b.write("loop.cpp", LOOP_CPP, mode=0o640)
    b.db(["loop.cpp"])
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(b.path("loop.cpp"), nobody.pw_uid, nobody.pw_gid)
    os.link(b.path("loop.cpp"), b.path("loop-link.cpp"))
    st0 = os.stat(b.path("loop.cpp"))
    p = b.run(["check", "-p", ".", "loop.cpp", "--fix", "--quiet"])
    expect(p, 1, err_has="has 2 hard links: rewritten in place")
    st = os.stat(b.path("loop.cpp"))
    check((st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) ==
          (st0.st_uid, st0.st_gid, 0o640), "owner or mode changed")
    check("[i] { record" in b.read("loop-link.cpp"), "link not fixed")
    # A source reached through a symbolic link is not rewritten through it.
    b.write("real.cpp", LOOP_CPP)
    os.symlink("real.cpp", b.path("via-link.cpp"))
    b.db(["via-link.cpp"])
    before = b.snapshot()
    p = b.run(["check", "-p", ".", "--fix", "--quiet"])
    expect(p, 1, err_has="it is a symbolic link")
    unchanged(before, b.snapshot())


# ---------------------------------------------------------------------------
# Crash isolation

def case_stack_overflow_isolated(b):
    b.project()
    chain = "int classify(int x) {\n  if (x == 0) return 0;\n"
    chain += "".join(f"  else if (x == {i}) return {i};\n"
                     for i in range(1, 20000))
    chain += "  return -1;\n}\n"
    b.write("chain.cpp", chain)
    b.write("parens.cpp", "int deep() { return " + "(" * 1000 + "1" +
            ")" * 1000 + "; }\n")
    b.db(["bug.cpp", "clean.cpp", "chain.cpp", "parens.cpp"])
    before = b.snapshot()
    p = b.run(["check", "-p", ".", "-o", "out.json", "--quiet"], timeout=600)
    check(p.returncode in (1, 3), f"exit {p.returncode}: {p.stderr[-2000:]}")
    findings = json.loads(b.read("out.json"))["findings"]
    check(any(f["check"] == "channel-double-close" for f in findings),
          "the other TU's finding was lost")
    if p.returncode == 3:
        check("cannot analyse" in p.stderr, p.stderr[-2000:])
    unchanged(before, b.snapshot(), {"out.json"})


def case_crash_isolated(b):
    # A crash inside Clang (its own debug pragma), and a stack overflow and a
    # null write inside the analysis (the hidden --debug-crash-on hook): each
    # costs only its own TU; the rest is reported and every -o file written.
    b.project()
    b.write("clang-crash.cpp", "#pragma clang __debug crash\nint x;\n")
    b.write("analysis-crash.cpp", "int y;\n")
    b.db(["bug.cpp", "clean.cpp", "clang-crash.cpp", "analysis-crash.cpp"])
    for kind in ["overflow", "segv"]:
        p = b.run(["check", "-p", ".", "-o", "out.json", "-o", "out.sarif",
                   "--debug-crash-on=analysis-crash", "--debug-crash-kind=" + kind,
                   "-j2"], timeout=300)
        expect(p, 3, out_has="[channel-double-close]")
        for f in ["clang-crash.cpp", "analysis-crash.cpp"]:
            check(f"cannot analyse {b.path(f)}: the analyzer crashed" in
                  p.stdout, p.stdout)
        findings = json.loads(b.read("out.json"))["findings"]
        check([f["check"] for f in findings] == ["channel-double-close"],
              str(findings))
        sarif = json.loads(b.read("out.sarif"))
        check(len(sarif["runs"][0]["results"]) == 1, "SARIF results")


# ---------------------------------------------------------------------------
# Bounded readers

def deep(n):
    return "[" * n + "]" * n


def case_deep_nesting_refused(b):
    b.project()
    b.write("deep.yaml", "library: x\nchannels: " + deep(100000) + "\n")
    b.write("deep-config.yaml", "checks: '*'\noptions: " + deep(100000) + "\n")
    b.write("deep-base.json", '{"version": 1, "fingerprints": ' +
            deep(100000) + "}\n")
    before = b.snapshot()
    p = b.run(["models", "--validate", "deep.yaml"])
    expect(p, 2, err_has="deep.yaml:2:")
    check("nesting deeper than 64 levels" in p.stderr, p.stderr)
    p = b.run(["check", "-p", ".", "--config", "deep-config.yaml"])
    expect(p, 2, err_has="nesting deeper than 64 levels")
    p = b.run(["check", "-p", ".", "--baseline", "deep-base.json", "--quiet"])
    expect(p, 2, err_has="nesting deeper than 64 levels")
    b.write("deep-db/compile_commands.json", deep(100000))
    p = b.run(["check", "-p", "deep-db"])
    expect(p, 2, err_has="nesting deeper than 64 levels")
    unchanged(before, b.snapshot(), {"deep-db", "deep-db/compile_commands.json"})


def case_special_files_as_input(b):
    b.project()
    os.mkfifo(b.path("fifo"))
    before = b.snapshot()
    for src, what in [("/dev/zero", "a character device"),
                      ("fifo", "a FIFO")]:
        p = b.run(["models", "--validate", src], timeout=30)
        expect(p, 2, err_has=f"not a regular file ({what})")
        p = b.run(["check", "-p", ".", "--config", src], timeout=30)
        expect(p, 2, err_has=f"not a regular file ({what})")
        p = b.run(["check", "-p", ".", "--baseline", src, "--quiet"],
                  timeout=30)
        expect(p, 2, err_has=f"not a regular file ({what})")
        p = b.run(["check", "-p", src], timeout=30)
        expect(p, 2, err_has=f"not a regular file ({what})")
    # A FIFO named as a source: that input is refused, the others analysed.
    p = b.run(["check", "-p", ".", "bug.cpp", "fifo"], timeout=60)
    expect(p, 3, err_has="fifo: not a regular file")
    check("channel-double-close" in p.stdout, p.stdout)
    unchanged(before, b.snapshot())


def case_oversized_inputs_refused(b):
    b.project()
    with open(b.path("huge-base.json"), "w") as f:
        f.truncate(513 << 20)  # sparse: refused by its size, never read
    with open(b.path("huge.yaml"), "w") as f:
        f.truncate(17 << 20)
    before = b.snapshot()
    p = b.run(["check", "-p", ".", "--baseline", "huge-base.json", "--quiet"])
    expect(p, 2, err_has="larger than 512 MiB")
    p = b.run(["models", "--validate", "huge.yaml"])
    expect(p, 2, err_has="larger than 16 MiB")
    unchanged(before, b.snapshot())


def case_yaml_anchors_explained(b):
    b.project()
    b.write(".tether.yaml", "checks: &all '*'\nheader_filter: *all\n")
    b.write("m.yaml", "library: &lib x\nchannels: []\n")
    before = b.snapshot()
    p = b.run(["check", "-p", "."])
    expect(p, 2, err_has=".tether.yaml:1:9: error: anchors and aliases are "
                         "not supported")
    p = b.run(["models", "--validate", "m.yaml"])
    expect(p, 2, err_has="anchors and aliases are not supported")
    unchanged(before, b.snapshot())


# ---------------------------------------------------------------------------
# Compile databases

def case_db_trailing_garbage(b):
    b.project()
    with open(b.path("compile_commands.json"), "a") as f:
        f.write("\n]garbage")
    before = b.snapshot()
    p = b.run(["check", "-p", "."])
    expect(p, 2, err_has="malformed compilation database")
    check("compile_commands.json:" in p.stderr, p.stderr)
    unchanged(before, b.snapshot())


def case_db_relative_directory(b):
    # The database is in build/, its directory ".." is the project: the
    # project's bug.cpp is analysed, not the one in the current directory.
    b.write("proj/chan.h", CHAN_H)
    b.write("proj/bug.cpp", BUG_CPP)
    b.db(["bug.cpp"], directory="..", where="proj/build/compile_commands.json")
    b.write("elsewhere/chan.h", CHAN_H)
    b.write("elsewhere/bug.cpp", CLEAN_CPP)
    before = b.snapshot()
    p = b.run(["check", "-p", "../proj/build", "--format=json"],
              cwd=b.path("elsewhere"))
    expect(p, 1)
    f = json.loads(p.stdout)["findings"]
    check(len(f) == 1 and f[0]["check"] == "channel-double-close", p.stdout)
    unchanged(before, b.snapshot())


def case_db_missing_directory(b):
    b.project()
    entries = json.loads(b.read("compile_commands.json"))
    entries.append({"directory": "no-such-dir", "file": "ghost.cpp",
                    "arguments": ["clang++", "-c", "ghost.cpp"]})
    b.write("compile_commands.json", json.dumps(entries))
    b.write("ghost.cpp", "int ghost;\n")
    p = b.run(["check", "-p", "."])
    expect(p, 3, err_has="directory '" + b.path("no-such-dir") +
           "' does not exist")
    check("channel-double-close" in p.stdout, p.stdout)


def case_db_response_file(b):
    b.write("src/chan.h", CHAN_H)
    b.write("src/bug.cpp", "#ifndef FROM_RSP\n#error flags missing\n#endif\n" +
            BUG_CPP)
    b.write("src/flags.rsp", "-DFROM_RSP=1 -std=c++20\n")
    b.write("compile_commands.json", json.dumps([{
        "directory": "src", "file": "bug.cpp",
        "arguments": ["clang++", "@flags.rsp", "-c", "bug.cpp"]}]))
    p = b.run(["check", "-p", "."])
    expect(p, 1, out_has="[channel-double-close]")


def main():
    global TETHER
    TETHER = os.path.abspath(sys.argv[1])
    name = sys.argv[2]
    fn = globals().get("case_" + name)
    if not fn:
        print(f"no such case: {name}")
        return 2
    b = Box()
    try:
        fn(b)
    except Failure as e:
        print(f"FAIL {name}: {e}")
        return 1
    finally:
        b.close()
    print(f"ok {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
