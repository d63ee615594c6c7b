#!/usr/bin/env python3
"""The example project's contract: `tether check` reports exactly one finding
on every line marked `// BUG(check-id)` in examples/src, with that check id,
and nothing anywhere else.

usage: bugs_reported.py TETHER SOURCE_DIR WORK_DIR
"""
import json
import os
import re
import subprocess
import sys


def main():
    tether, src, work = sys.argv[1:4]
    examples = os.path.join(src, "examples")
    build = os.path.join(work, "examples-build")
    subprocess.run(["cmake", "-S", examples, "-B", build, "-G", "Ninja",
                    "-DCMAKE_CXX_COMPILER=clang++-19",
                    "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"],
                   check=True, stdout=subprocess.DEVNULL)
    run = subprocess.run([tether, "check", "-p", build, "--format=json", "-j2", "--no-cache"],
                         capture_output=True, text=True)
    if run.returncode not in (0, 1):
        print(run.stderr)
        return 1
    # A finding's file is relative to the project root tether found (the
    # repository here), or absolute.
    def resolve(name):
        for base in (src, examples, os.getcwd()):
            path = os.path.realpath(os.path.join(base, name))
            if os.path.exists(path):
                return path
        return name
    found = {(resolve(f["file"]), f["line"], f["check"])
             for f in json.loads(run.stdout)["findings"]}
    wanted = set()
    for root, _, files in os.walk(os.path.join(examples, "src")):
        for name in files:
            path = os.path.realpath(os.path.join(root, name))
            with open(path) as fh:
                for n, line in enumerate(fh, 1):
                    m = re.search(r"// BUG\(([\w-]+)\)", line)
                    if m:
                        wanted.add((path, n, m.group(1)))
    missing, extra = wanted - found, found - wanted
    for p, l, c in sorted(missing):
        print(f"not reported: {p}:{l} [{c}]")
    for p, l, c in sorted(extra):
        print(f"unexpected:   {p}:{l} [{c}]")
    print(f"{len(wanted)} seeded bugs, {len(found)} findings, "
          f"{len(missing)} missed, {len(extra)} unexpected")
    return 1 if missing or extra else 0


if __name__ == "__main__":
    sys.exit(main())
