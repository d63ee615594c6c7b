#!/usr/bin/env python3
"""The documentation test: the check pages and the checks agree.

1. Every check `tether check --list-checks --checks=*` registers has a page
   docs/checks/<id>.md whose title is `# <id>`, and every page there names a
   registered check.
2. Every link to a check page (`checks/<id>.md`) in README.md and docs/
   points at a page that exists.
3. Every example marked as such -- a fenced block opened with
   ```cpp example -- is a whole translation unit: it is analysed with
   `tether check FILE -- -std=c++20 ...` and must compile and produce
   exactly the diagnostics its comments document, on their lines:
       out.close();   // remark: may already be closed
       out.close();   // note: first close here
   `warning:`/`remark:` name a finding of the page's check on that line whose
   message contains the text (case-insensitive; a trailing '...' or '…' and
   text after ' -- ' are ignored); `note:` a note of some finding on that
   line. A comment continued on the next lines (`//   more text`) is not
   part of the match. Only the page's check runs; any other finding of it
   is an error.
4. An example of what is *not* reported -- a block opened with
   ```cpp example not-flagged -- is analysed the same way and must compile
   and produce no finding of the page's check; it documents none.
5. `checks=ID,...` after `example` (or `not-flagged`) runs those checks too
   (unused-suppression reports only suppressions of checks that run). Their
   findings must be suppressed in the example: any of them is an error.

Usage: check_docs.py --tether BIN --source-dir DIR
Exit status 0 when everything agrees; 1 with one line per problem otherwise.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ANNOT = re.compile(r"//\s*(warning|remark|error|note):\s*(.*?)\s*$")


def registered_checks(tether):
    out = subprocess.run([tether, "check", "--list-checks", "--checks=*"],
                         capture_output=True, text=True, check=True).stdout
    return sorted(line.split("\t", 1)[0] for line in out.splitlines() if line.strip())


def examples(page_text):
    """(first line number in the page, code, flagged, more checks) of each
    ```cpp example block; flagged is False for ```cpp example not-flagged."""
    out, lines, i = [], page_text.splitlines(), 0
    while i < len(lines):
        m = re.fullmatch(r"```cpp\s+example(\s+not-flagged)?(?:\s+checks=([a-z0-9,-]+))?\s*",
                         lines[i])
        if m:
            more = [c for c in (m.group(2) or "").split(",") if c]
            start, body = i + 2, []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i])
                i += 1
            out.append((start, "\n".join(body) + "\n", m.group(1) is None, more))
        i += 1
    return out


def expectation_text(t):
    t = t.split(" -- ")[0].strip()
    for tail in ("...", "…"):
        if t.endswith(tail):
            t = t[: -len(tail)].rstrip()
    return t.lower()


def check_example(tether, source_dir, check_id, page, start, code, flagged, more, ids,
                  problems):
    where = f"{page}:{start}"
    for c in more:
        if c not in ids:
            problems.append(f"{where}: example runs '{c}', which is no registered check")
            return
    wants = []  # (line, kind, text)
    for n, line in enumerate(code.splitlines(), 1):
        m = ANNOT.search(line)
        if m:
            wants.append((n, m.group(1), expectation_text(m.group(2))))
    if not flagged and wants:
        problems.append(f"{where}: example line {wants[0][0]}: a not-flagged example "
                        f"documents a {wants[0][1]}")
        return
    if flagged and not any(k != "note" for _, k, _ in wants):
        problems.append(f"{where}: example documents no finding (a '// warning:' or "
                        "'// remark:' comment); mark only examples that are flagged, "
                        "and those that are not as ```cpp example not-flagged")
    with tempfile.TemporaryDirectory(prefix="tether-docs-") as tmp:
        src = os.path.join(tmp, "example.cpp")
        with open(src, "w") as f:
            f.write(code)
        checks = ",".join(["-*", check_id] + more)
        cmd = [tether, "check", "example.cpp", "--no-cache", "--checks=" + checks, "--format=json", "--",
               "-std=c++20", "-pthread",
               "-I" + os.path.join(source_dir, "tests", "checks", "include")]
        r = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
        if r.returncode not in (0, 1):
            err = (r.stderr.strip().splitlines() or ["?"])[0]
            problems.append(f"{where}: example does not analyse (exit {r.returncode}): {err}")
            return
        findings = json.loads(r.stdout)["findings"]
    met = set()
    for f in findings:
        ok = False
        for i, (line, kind, text) in enumerate(wants):
            if kind != "note" and line == f["line"] and f["check"] == check_id and \
                    f["severity"] == kind and text in f["message"].lower():
                met.add(i)
                ok = True
        if not ok:
            problems.append(f"{where}: example line {f['line']}: undocumented finding "
                            f"{f['severity']}: {f['message']} [{f['check']}]")
        for note in f.get("notes", []):
            for i, (line, kind, text) in enumerate(wants):
                if kind == "note" and note.get("line") == line and text in note["message"].lower():
                    met.add(i)
    for i, (line, kind, text) in enumerate(wants):
        if i not in met:
            problems.append(f"{where}: example line {line}: documented {kind} "
                            f"'{text}' not produced")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tether", required=True)
    ap.add_argument("--source-dir", required=True)
    args = ap.parse_args()
    src = args.source_dir
    problems = []

    args.tether = os.path.abspath(args.tether)
    ids = registered_checks(args.tether)
    pages_dir = os.path.join(src, "docs", "checks")
    pages = sorted(p[:-3] for p in os.listdir(pages_dir) if p.endswith(".md"))
    for cid in ids:
        if cid not in pages:
            problems.append(f"check '{cid}' has no page docs/checks/{cid}.md")
    n_examples = 0
    for page in pages:
        path = os.path.join(pages_dir, page + ".md")
        text = open(path, encoding="utf-8").read()
        rel = os.path.relpath(path, src)
        if page not in ids:
            problems.append(f"{rel}: names no registered check")
            continue
        first = text.splitlines()[0] if text else ""
        if first.strip() != f"# {page}":
            problems.append(f"{rel}:1: title must be '# {page}', not '{first}'")
        for start, code, flagged, more in examples(text):
            n_examples += 1
            check_example(args.tether, src, page, rel, start, code, flagged, more, ids,
                          problems)

    docs = [os.path.join(src, "README.md")]
    for root, _, files in os.walk(os.path.join(src, "docs")):
        docs += [os.path.join(root, f) for f in files if f.endswith(".md")]
    for d in docs:
        text = open(d, encoding="utf-8").read()
        for m in re.finditer(r"\]\(((?:[^()\s]*/)?checks/([a-z0-9-]+)\.md)(#[^)]*)?\)", text):
            target = os.path.normpath(os.path.join(os.path.dirname(d), m.group(1)))
            if not os.path.exists(target):
                line = text.count("\n", 0, m.start()) + 1
                problems.append(f"{os.path.relpath(d, src)}:{line}: link to a missing "
                                f"check page {m.group(1)}")

    for p in problems:
        print(p)
    print(f"docs: {len(ids)} checks, {len(pages)} pages, {n_examples} examples analysed, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
