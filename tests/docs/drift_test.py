#!/usr/bin/env python3
"""check_docs.py must catch drift: run it on a made-up source tree whose
pages disagree with the checks, and expect each disagreement reported."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    tether, source = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix="tether-docs-drift-") as tmp:
        pages = os.path.join(tmp, "docs", "checks")
        os.makedirs(pages)
        os.symlink(os.path.join(source, "tests"), os.path.join(tmp, "tests"))
        with open(os.path.join(tmp, "README.md"), "w") as f:
            f.write("See [the leak check](docs/checks/thread-leek.md).\n")
        with open(os.path.join(pages, "no-such-check.md"), "w") as f:
            f.write("# no-such-check\n")
        with open(os.path.join(pages, "channel-double-close.md"), "w") as f:
            f.write("# channel-double-close\n\n```cpp example\n"
                    "#include <boost/fiber/buffered_channel.hpp>\n"
                    "using Chan = boost::fibers::buffered_channel<int>;\n"
                    "void stop(Chan &ch) {\n"
                    "  ch.close();\n"
                    "  ch.close();   // warning: closed twice\n"
                    "}\n"
                    "void fine(Chan &ch) {\n"
                    "  ch.close();   // remark: may already be closed here\n"
                    "}\n```\n"
                    # A not-flagged example that is flagged ...
                    "```cpp example not-flagged\n"
                    "#include <boost/fiber/buffered_channel.hpp>\n"
                    "using Chan = boost::fibers::buffered_channel<int>;\n"
                    "void stop(Chan &ch) {\n"
                    "  ch.close();\n"
                    "  ch.close();\n"
                    "}\n```\n"
                    # ... one that documents a finding ...
                    "```cpp example not-flagged\n"
                    "void f() {}   // remark: documented although not flagged\n"
                    "```\n"
                    # ... and a flagged one that documents none.
                    "```cpp example\n"
                    "void g() {}\n"
                    "```\n")
        with open(os.path.join(pages, "unused-suppression.md"), "w") as f:
            f.write("# unused-suppression\n\n"
                    # A finding of a check the example runs besides the page's ...
                    "```cpp example not-flagged checks=thread-leak\n"
                    "#include <thread>\n"
                    "void work();\n"
                    "void f() {\n"
                    "  std::thread([] { for (;;) work(); }).detach();\n"
                    "}\n```\n"
                    # ... and a check that does not exist.
                    "```cpp example not-flagged checks=thread-leek\n"
                    "void g() {}\n"
                    "```\n")
        with open(os.path.join(pages, "thread-leak.md"), "w") as f:
            f.write("# thread leak\n")
        r = subprocess.run([sys.executable, os.path.join(HERE, "check_docs.py"),
                            "--tether", tether, "--source-dir", tmp],
                           capture_output=True, text=True)
    out = r.stdout
    expected = [
        "check 'cancel-lost' has no page docs/checks/cancel-lost.md",
        "docs/checks/no-such-check.md: names no registered check",
        "docs/checks/thread-leak.md:1: title must be '# thread-leak'",
        "README.md:1: link to a missing check page docs/checks/thread-leek.md",
        # The second close is a remark, documented as a warning ...
        "docs/checks/channel-double-close.md:4: example line 5: undocumented finding remark:",
        "docs/checks/channel-double-close.md:4: example line 5: documented warning 'closed twice' not produced",
        # ... and the remark documented in fine() does not happen.
        "docs/checks/channel-double-close.md:4: example line 8: documented remark",
        "docs/checks/channel-double-close.md:15: example line 5: undocumented finding remark:",
        "docs/checks/channel-double-close.md:23: example line 1: a not-flagged example "
        "documents a remark",
        "docs/checks/channel-double-close.md:26: example documents no finding",
        "docs/checks/unused-suppression.md:4: example line 4: undocumented finding warning: "
        "detached thread runs an endless loop",
        "docs/checks/unused-suppression.md:11: example runs 'thread-leek', which is no "
        "registered check",
    ]
    missing = [e for e in expected if e not in out]
    if r.returncode != 1 or missing:
        print(f"check_docs.py exit {r.returncode}; expected problems not reported:")
        for m in missing:
            print("  " + m)
        print("--- its output ---\n" + out + r.stderr)
        return 1
    print("check_docs.py reports every drift it should")
    return 0


if __name__ == "__main__":
    sys.exit(main())
