// Runs a program in a sandbox directory (its working directory and TMPDIR)
// and captures its exit status, stdout and stderr outside that directory, so
// a test can assert which files the run created or changed.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace harness {

inline std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void writeFile(const std::string &path, const std::string &text) {
  std::ofstream o(path, std::ios::binary | std::ios::trunc);
  o << text;
}

inline std::string makeTempDir(const std::string &tag) {
  std::string t = std::string(P_tmpdir) + "/tether-" + tag + "-XXXXXX";
  if (!mkdtemp(t.data()))
    return {};
  return t;
}

inline void removeTree(const std::string &dir) {
  if (dir.empty())
    return;
  std::string cmd = "rm -rf '" + dir + "'";
  int rc = system(cmd.c_str());
  (void)rc;
}

// A directory's regular files and FIFOs: name -> (size, mtime ns, contents).
struct FileState {
  off_t size;
  long long mtime_ns;
  std::string text;
  bool operator==(const FileState &o) const {
    return size == o.size && mtime_ns == o.mtime_ns && text == o.text;
  }
};
using Listing = std::map<std::string, FileState>;

inline Listing listDir(const std::string &dir) {
  Listing out;
  DIR *d = opendir(dir.c_str());
  if (!d)
    return out;
  while (dirent *e = readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..")
      continue;
    struct stat st;
    std::string p = dir + "/" + n;
    if (lstat(p.c_str(), &st) != 0)
      continue;
    FileState f{st.st_size, (long long)st.st_mtim.tv_sec * 1000000000ll + st.st_mtim.tv_nsec, {}};
    if (S_ISREG(st.st_mode))
      f.text = readFile(p);
    out[n] = f;
  }
  closedir(d);
  return out;
}

// Names whose state differs between two listings (added, removed, changed).
inline std::vector<std::string> changed(const Listing &before, const Listing &after) {
  std::vector<std::string> out;
  for (auto &[n, f] : after) {
    auto it = before.find(n);
    if (it == before.end() || !(it->second == f))
      out.push_back(n);
  }
  for (auto &[n, f] : before)
    if (!after.count(n))
      out.push_back(n);
  return out;
}

// tether's fallback files ("tether.PID.log") in a directory.
inline std::vector<std::string> fallbackFiles(const std::string &dir) {
  std::vector<std::string> out;
  for (auto &[n, f] : listDir(dir))
    if (n.rfind("tether.", 0) == 0 && n.size() > 4 && n.compare(n.size() - 4, 4, ".log") == 0)
      out.push_back(n);
  return out;
}

// What a shell command prints on stdout.
inline std::string capture(const std::string &cmd) {
  std::string out;
  if (FILE *p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
      out.append(buf, n);
    pclose(p);
  }
  return out;
}

struct Result {
  int status = -1; // exit code, or 128+signal
  bool timed_out = false;
  std::string out, err;
  pid_t pid = 0;
};

struct Spawn {
  std::vector<std::string> argv; // argv[0]: the executable's path
  std::vector<std::string> env;  // KEY=VALUE, added to (or replacing) the test's own
  std::string preload;           // LD_PRELOAD value, empty: none
  std::string cwd;               // also TMPDIR
  int timeout_s = 60;
  bool close_std = false; // start with fds 0-2 closed
};

inline Result spawn(const Spawn &s) {
  Result r;
  std::string cap = makeTempDir("capture");
  std::string out = cap + "/out", err = cap + "/err";
  std::vector<std::string> env;
  auto overridden = [&](const char *e) {
    std::string k = std::string(e).substr(0, std::string(e).find('=') + 1);
    if (k == "TETHER_OPTIONS=" || k == "LD_PRELOAD=" || k == "TMPDIR=")
      return true;
    for (auto &x : s.env)
      if (x.compare(0, k.size(), k) == 0)
        return true;
    return false;
  };
  for (char **e = environ; *e; ++e)
    if (!overridden(*e))
      env.push_back(*e);
  for (auto &x : s.env)
    env.push_back(x);
  if (!s.preload.empty())
    env.push_back("LD_PRELOAD=" + s.preload);
  if (!s.cwd.empty())
    env.push_back("TMPDIR=" + s.cwd);
  std::vector<char *> envp, argv;
  for (auto &e : env)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = s.argv;
  for (auto &a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (s.close_std) {
    posix_spawn_file_actions_addclose(&fa, 0);
    posix_spawn_file_actions_addclose(&fa, 1);
    posix_spawn_file_actions_addclose(&fa, 2);
  } else {
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  }
  if (!s.cwd.empty())
    posix_spawn_file_actions_addchdir_np(&fa, s.cwd.c_str());
  pid_t pid;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data()) == 0)
    r.pid = pid;
  else {
    ADD_FAILURE() << "cannot run " << argv[0];
    posix_spawn_file_actions_destroy(&fa);
    removeTree(cap);
    return r;
  }
  posix_spawn_file_actions_destroy(&fa);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(s.timeout_s);
  int st = 0;
  for (;;) {
    if (waitpid(pid, &st, WNOHANG) == pid)
      break;
    if (std::chrono::steady_clock::now() > deadline) {
      r.timed_out = true;
      kill(pid, SIGKILL);
      waitpid(pid, &st, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  r.out = readFile(out);
  r.err = readFile(err);
  removeTree(cap);
  return r;
}

// A fresh directory for one test, removed afterwards.
struct Sandbox {
  std::string dir;
  // tether fallback files in the system temporary directory when the
  // sandbox was made: a run must add none there (it has TMPDIR=dir).
  std::vector<std::string> tmp_fallbacks = fallbackFiles(P_tmpdir);
  explicit Sandbox(const std::string &tag = "torture") : dir(makeTempDir(tag)) {}
  ~Sandbox() { removeTree(dir); }
  std::string path(const std::string &name) const { return dir + "/" + name; }
  Listing listing() const { return listDir(dir); }
};

} // namespace harness
