"""Sources of public projects at pinned commits, for the corpus
(bench/corpus) and the recall suite (bench/recall): taken from a local mirror
of bare repositories ($TETHER_CORPUS_MIRROR/OWNER+NAME/repo) when it holds the
commit, else fetched from GitHub (a shallow fetch of that one commit)."""
import os
import subprocess


class SourceError(Exception):
    pass


def gitdir_for(repo, commit, workdir):
    """A git directory holding `commit` of GitHub's `repo` (owner/name)."""
    mirror = os.environ.get("TETHER_CORPUS_MIRROR")
    has = lambda d: subprocess.run(["git", "--git-dir", d, "cat-file", "-e",
                                    commit + "^{commit}"],
                                   capture_output=True).returncode == 0
    if mirror:
        bare = os.path.join(mirror, repo.replace("/", "+"), "repo")
        if os.path.isdir(bare) and has(bare):
            return bare
    local = os.path.join(workdir, "git", repo.replace("/", "+"))
    if not os.path.isdir(local):
        subprocess.run(["git", "init", "-q", "--bare", local], check=True)
    if not has(local):
        subprocess.run(["git", "--git-dir", local, "fetch", "-q", "--depth", "1",
                        f"https://github.com/{repo}", commit], check=True)
    return local


def export_commit(gitdir, commit, dest):
    """Writes the tree of `commit` into `dest`. A mirror may list large files
    without holding them, and git archive stops at the first absent blob:
    those are left out (they are data, not sources)."""
    tree = subprocess.run(["git", "--git-dir", gitdir, "ls-tree", "-r", commit],
                          check=True, capture_output=True, text=True).stdout
    blobs = [l.split(None, 3) for l in tree.splitlines() if l.split()[1] == "blob"]
    have = subprocess.run(["git", "--git-dir", gitdir, "cat-file", "--batch-check"],
                          input="\n".join(b[2] for b in blobs) + "\n",
                          capture_output=True, text=True).stdout.splitlines()
    absent = [b[3] for b, h in zip(blobs, have) if h.endswith(" missing")]
    spec = ["--", "."] + [":(exclude,literal)" + a for a in absent] if absent else []
    arch = subprocess.Popen(["git", "--git-dir", gitdir, "archive", commit, *spec],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    subprocess.run(["tar", "-x", "-C", dest], stdin=arch.stdout,
                   stderr=subprocess.DEVNULL)
    if arch.wait() != 0:
        raise SourceError(f"git archive {commit} failed in {gitdir}")


def pick(items, only, what, die):
    """The items whose .id is in the comma-separated `only` (all when it is
    empty); an id that names no item is an error."""
    if not only:
        return items
    want = set(only.split(","))
    unknown = want - {i.id for i in items}
    if unknown:
        die(f"unknown {what}: {', '.join(sorted(unknown))}")
    return [i for i in items if i.id in want]
