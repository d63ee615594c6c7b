#!/usr/bin/env python3
"""The clang-tidy plugin against `tether check` on the same files.

  run.py findings --tether T --plugin P --clang-tidy CT --cxx CXX --sample DIR
  run.py list     --tether T --plugin P --clang-tidy CT --docs docs/clang-tidy.md

findings: the sample (sample/, its .tether.yaml models) is analysed by
`tether check` restricted to the checks the plugin offers and by
`clang-tidy -load P -checks='-*,tether-*'`; every finding (file, line,
column, check, severity, message), its notes and its fix-its must be the
same in both, and tether's findings must be exactly the lines the sources
mark `// expect: <check-id>` (so neither side can lose a finding the other
loses too). Then: the NOLINT comments suppress real findings (a copy without
them has a finding at each), CheckOptions reach the checks as the same
options do in .tether.yaml, and invalid options are configuration errors.

list: `clang-tidy --list-checks` with the plugin lists exactly the checks
docs/clang-tidy.md offers, the page's two tables together name every check
`tether check --list-checks` knows, once, and `--dump-config` shows every
option those checks declare, with its default.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def run(cmd, ok_codes=(0,), **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode not in ok_codes:
        print("$ " + " ".join(cmd))
        print(p.stdout)
        print(p.stderr)
        sys.exit("unexpected exit status %d" % p.returncode)
    return p


def documented(docs):
    """(offered, excluded) check ids of docs/clang-tidy.md's two tables."""
    offered, excluded = [], []
    for line in open(docs, encoding="utf-8"):
        m = re.match(r"^\| `tether-([a-z-]+)` \|", line)
        if m:
            offered.append(m.group(1))
            continue
        m = re.match(r"^\| `([a-z-]+)` \|", line)
        if m:
            excluded.append(m.group(1))
    return offered, excluded


def tidy_cmd(a, build, files, checks="-*,tether-*", extra=()):
    return [a.clang_tidy, "-load", a.plugin, "-checks=" + checks, "-p", build,
            "--quiet", *extra, *files]


DIAG = re.compile(r"^(.+?):(\d+):(\d+): (warning|error|remark|note): (.*?)"
                  r"(?: \[([A-Za-z0-9_.,-]+)\])?$")


def parse_tidy(out, base=None):
    """clang-tidy's findings: warnings with their notes, as tuples (relative
    file names are taken from base)."""
    findings = []
    for line in out.splitlines():
        m = DIAG.match(line)
        if not m:
            continue
        f, l, c, level, msg, check = m.groups()
        if check == "clang-tidy-config":
            continue  # configuration errors are looked for on their own
        f = os.path.realpath(os.path.join(base, f) if base else f)
        if level == "note":
            if findings:
                findings[-1]["notes"].append((f, int(l), int(c), msg))
            continue
        if not check or not check.startswith("tether-"):
            fail("a diagnostic that is not a tether check's: " + line)
            continue
        findings.append({"where": (f, int(l), int(c)),
                         "check": check[len("tether-"):], "level": level,
                         "message": msg, "notes": []})
    return findings


def parse_tether(path, root):
    J = json.load(open(path, encoding="utf-8"))
    if J["errors"]:
        fail("tether check reported errors: %s" % J["errors"])
    out = []
    for F in J["findings"]:
        f = os.path.realpath(os.path.join(root, F["file"]))
        out.append({"where": (f, F["line"], F["column"]), "check": F["check"],
                    "level": F["severity"], "message": F["message"],
                    "notes": [(os.path.realpath(os.path.join(root, N["file"])),
                               N["line"], N["column"], N["message"])
                              for N in F["notes"]],
                    "fixes": [dict(X, path=os.path.realpath(
                        os.path.join(root, X["file"]))) for X in F["fixes"]]})
    return out


def key(F):
    return (F["where"], F["check"], F["level"], F["message"],
            tuple(F["notes"]))


def compare(tether, tidy, what):
    t = sorted(key(F) for F in tether)
    c = sorted(key(F) for F in tidy)
    if t == c:
        return
    for k in t:
        if k not in c:
            fail("%s: the plugin loses %s" % (what, k))
    for k in c:
        if k not in t:
            fail("%s: the plugin invents %s" % (what, k))


def offset(path, line, col):
    with open(path, "rb") as fh:
        lines = fh.read().split(b"\n")
    return sum(len(x) + 1 for x in lines[:line - 1]) + col - 1


def tether_fixes(tether):
    out = set()
    for F in tether:
        for X in F["fixes"]:
            path = X["path"]
            b = offset(path, X["line"], X["column"])
            e = offset(path, X["end_line"], X["end_column"])
            out.add((path, b, e - b, X["replacement"]))
    return out


def tidy_fixes(yaml_path):
    """Replacements of clang-tidy's --export-fixes YAML (one per entry)."""
    out = set()
    if not os.path.exists(yaml_path):
        return out
    text = open(yaml_path, encoding="utf-8").read()
    for m in re.finditer(
            r"- FilePath:\s+'?(.*?)'?\n\s+Offset:\s+(\d+)\n\s+Length:\s+(\d+)\n"
            r"\s+ReplacementText:\s+('(?:[^']|'')*'|.*)\n", text):
        rep = m.group(4)
        if rep.startswith("'"):
            rep = rep[1:-1].replace("''", "'")
        out.add((os.path.realpath(m.group(1)), int(m.group(2)),
                 int(m.group(3)), rep))
    return out


def expected_lines(files):
    """{(file, line, check)} of the `// expect: check-id` marks."""
    out = set()
    for f in files:
        for n, line in enumerate(open(f, encoding="utf-8"), 1):
            for m in re.finditer(r"// expect: ([a-z-]+)", line):
                out.add((os.path.realpath(f), n, m.group(1)))
    return out


def nolint_lines(files):
    """{(file, line, check)} the NOLINT comments suppress."""
    out = set()
    for f in files:
        for n, line in enumerate(open(f, encoding="utf-8"), 1):
            m = re.search(r"// NOLINT(NEXTLINE)?\(tether-([a-z-]+)\)", line)
            if m:
                out.add((os.path.realpath(f), n + (1 if m.group(1) else 0),
                         m.group(2)))
    return out


def write_db(a, src, build, files, relative=False):
    """A compilation database; relative: file names and include paths
    relative to the compile directory, as many build systems write them."""
    os.makedirs(build, exist_ok=True)
    db = []
    for f in files:
        name = os.path.basename(f) if relative else f
        db.append({"directory": src, "file": name,
                   "arguments": [a.cxx, "-std=c++20", "-I.", "-c", name, "-o",
                                 os.path.splitext(name)[0] + ".o"]})
    with open(os.path.join(build, "compile_commands.json"), "w") as fh:
        json.dump(db, fh, indent=1)


def setup_tree(a, tmp):
    src = os.path.join(tmp, "src")
    shutil.copytree(a.sample, src)
    build = os.path.join(tmp, "build")
    files = sorted(os.path.join(src, f) for f in os.listdir(src)
                   if f.endswith(".cpp"))
    write_db(a, src, build, files)
    return src, build, files


def tether_run(a, src, build, files, offered, tag, config=None):
    out = os.path.join(src, "..", tag + ".json")
    cmd = [a.tether, "check", "-p", build, "--no-cache",
           "--checks=-*," + ",".join(offered),
           "-o", "json:" + out]
    if config:
        cmd += ["--config", config]
    # Paths in the JSON are relative to the working directory (no git here).
    run(cmd + files, ok_codes=(0, 1), cwd=src)
    return parse_tether(out, src)


def findings(a):
    offered, _ = documented(a.docs)
    tmp = tempfile.mkdtemp(prefix="tether-tidy-")
    try:
        src, build, files = setup_tree(a, tmp)
        tether = tether_run(a, src, build, files, offered, "tether")
        fixes_yaml = os.path.join(tmp, "fixes.yaml")
        p = run(tidy_cmd(a, build, files, extra=["--export-fixes=" + fixes_yaml]),
                ok_codes=(0, 1))
        tidy = parse_tidy(p.stdout)
        print("tether check: %d findings; clang-tidy: %d" % (len(tether), len(tidy)))
        compare(tether, tidy, "default options")
        if tether_fixes(tether) != tidy_fixes(fixes_yaml):
            fail("fix-its differ: tether %s, clang-tidy %s"
                 % (sorted(tether_fixes(tether)), sorted(tidy_fixes(fixes_yaml))))
        if not tether_fixes(tether):
            fail("the sample has no fix-it to compare")

        # The same findings when the database names files relative to their
        # compile directory and clang-tidy runs from elsewhere.
        rel = os.path.join(tmp, "build-rel")
        write_db(a, src, rel, files, relative=True)
        p = run(tidy_cmd(a, rel, files), ok_codes=(0, 1), cwd=tmp)
        compare(tether, parse_tidy(p.stdout, base=src), "relative paths")

        # The sample's marks: exactly these findings, at least four checks.
        want = expected_lines(files)
        got = {(F["where"][0], F["where"][1], F["check"]) for F in tether}
        for w in sorted(want - got):
            fail("no finding at %s:%d (%s)" % w)
        for g in sorted(got - want):
            fail("a finding not marked `// expect:` (must-not-flag code?) "
                 "at %s:%d (%s)" % g)
        if len({c for _, _, c in want}) < 4:
            fail("the sample covers fewer than four checks")

        # NOLINT: without the comments, each suppressed line has its finding.
        nolint = nolint_lines(files)
        if len(nolint) < 2:
            fail("the sample has fewer than two NOLINT cases")
        for f in files:
            text = open(f, encoding="utf-8").read()
            text = re.sub(r"// NOLINT(NEXTLINE)?\(tether-([a-z-]+)\)",
                          r"// lint-off \2", text)
            open(f, "w", encoding="utf-8").write(text)
        p = run(tidy_cmd(a, build, files), ok_codes=(0, 1))
        unsuppressed = {(F["where"][0], F["where"][1], F["check"])
                        for F in parse_tidy(p.stdout)}
        for n in sorted(nolint):
            if n not in unsuppressed:
                fail("the NOLINT at %s:%d (%s) suppresses nothing" % n)
        if unsuppressed != got | nolint:
            fail("without NOLINT: %s, expected %s"
                 % (sorted(unsuppressed), sorted(got | nolint)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # CheckOptions are the checks' options: the same values through
    # .tether.yaml (tether check) and CheckOptions (clang-tidy) agree, and
    # change what is reported.
    tmp = tempfile.mkdtemp(prefix="tether-tidy-")
    try:
        src, build, files = setup_tree(a, tmp)
        opts = {"cancel-uninterruptible-wait.max_sleep_ms": "60000",
                "thread-unbounded-spawn.lightweight_types": "std::thread"}
        cfg = os.path.join(tmp, "options.yaml")
        with open(os.path.join(src, ".tether.yaml"), encoding="utf-8") as fh:
            base = fh.read()
        with open(cfg, "w", encoding="utf-8") as fh:
            fh.write(base + "options:\n" + "".join(
                "  %s: '%s'\n" % kv for kv in opts.items()))
        tether = tether_run(a, src, build, files, offered, "options", cfg)
        tidy_cfg = "{CheckOptions: {%s}}" % ", ".join(
            "tether-%s: '%s'" % kv for kv in opts.items())
        p = run(tidy_cmd(a, build, files, extra=["-config=" + tidy_cfg]),
                ok_codes=(0, 1))
        tidy = parse_tidy(p.stdout)
        compare(tether, tidy, "with options")
        default = expected_lines(files)
        now = {(F["where"][0], F["where"][1], F["check"]) for F in tether}
        for check in ("cancel-uninterruptible-wait", "thread-unbounded-spawn"):
            if len([1 for x in now if x[2] == check]) >= \
                    len([1 for x in default if x[2] == check]):
                fail("the options do not change what %s reports" % check)
        if "warning: invalid option" in p.stdout + p.stderr:
            fail("valid options reported as invalid:\n" + p.stdout + p.stderr)

        # Invalid options: configuration errors naming the declared options.
        bad = ("{CheckOptions: {tether-cancel-lost.no_such_option: 'x', "
               "tether-cancel-uninterruptible-wait.max_sleep_ms: 'soon'}}")
        p = run(tidy_cmd(a, build, files[:1], extra=["-config=" + bad]),
                ok_codes=(0, 1))
        msgs = p.stdout + p.stderr
        for pat in (r"invalid option of 'tether-cancel-lost': unknown option "
                    r"'cancel-lost\.no_such_option'; cancel-lost has no options",
                    r"invalid option of 'tether-cancel-uninterruptible-wait': "
                    r"invalid value 'soon' for option "
                    r"'cancel-uninterruptible-wait\.max_sleep_ms'"):
            if not re.search(pat, msgs):
                fail("no configuration error /%s/ in:\n%s" % (pat, msgs))

        # A config that does not load stops the file, with its error.
        with open(os.path.join(src, ".tether.yaml"), "a", encoding="utf-8") as fh:
            fh.write("no_such_key: 1\n")
        p = run(tidy_cmd(a, build, files[:1]), ok_codes=(0, 1))
        msgs = p.stdout + p.stderr
        if "tether: " not in msgs or ".tether.yaml" not in msgs:
            fail("a broken .tether.yaml is not reported:\n" + msgs)
        if parse_tidy(p.stdout):
            fail("findings despite a broken .tether.yaml")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def listing(a):
    offered, excluded = documented(a.docs)
    p = run([a.clang_tidy, "-load", a.plugin, "--list-checks",
             "-checks=-*,tether-*"])
    listed = sorted(l.strip()[len("tether-"):] for l in p.stdout.splitlines()
                    if l.strip().startswith("tether-"))
    if listed != sorted(offered):
        fail("clang-tidy lists %s; docs/clang-tidy.md offers %s"
             % (listed, sorted(offered)))
    p = run([a.tether, "check", "--list-checks"])
    known = sorted(l.split()[0] for l in p.stdout.splitlines() if l.strip())
    both = sorted(offered + excluded)
    if both != known:
        fail("docs/clang-tidy.md names %s; tether has %s" % (both, known))
    # --dump-config lists every option the offered checks declare, with its
    # default (the tether-<id>.<option> keys CheckOptions takes).
    p = run([a.tether, "check", "--list-options"])
    declared = {}
    for l in p.stdout.splitlines():
        parts = l.split("\t")
        if len(parts) >= 3 and parts[0].split(".")[0] in offered:
            declared["tether-" + parts[0]] = parts[2].strip('"')
    p = run([a.clang_tidy, "-load", a.plugin, "--dump-config",
             "-checks=-*,tether-*"])
    dumped = dict(re.findall(r"^\s+(tether-[a-z-]+\.[a-z_]+): '(.*)'$",
                             p.stdout, re.M))
    if dumped != declared:
        fail("--dump-config gives %s; the checks declare %s"
             % (dumped, declared))
    if not declared:
        fail("the offered checks declare no options to compare")
    # A plain clang-tidy run (no -load) has none of them.
    p = run([a.clang_tidy, "--list-checks", "-checks=-*,tether-*"],
            ok_codes=(0, 1))
    if "tether-" in p.stdout:
        fail("tether checks listed without the plugin")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["findings", "list"])
    ap.add_argument("--tether", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--clang-tidy", dest="clang_tidy", required=True)
    ap.add_argument("--docs", required=True)
    ap.add_argument("--cxx", default="clang++-19")
    ap.add_argument("--sample")
    a = ap.parse_args()
    for k in ("tether", "plugin", "docs", "sample"):
        if getattr(a, k):
            setattr(a, k, os.path.abspath(getattr(a, k)))
    if a.mode == "findings":
        findings(a)
    else:
        listing(a)
    if failures:
        sys.exit("%d failure(s)" % len(failures))
    print("ok")


if __name__ == "__main__":
    main()
