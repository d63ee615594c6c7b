// Pull-request mode: report only findings on changed lines.
//
//   --line-filter=JSON   clang-tidy's format: [{"name":"a.cpp","lines":[[1,3]]},
//                        {"name":"b.h"}] -- a file without "lines" counts whole
//   --diff-base=REV      the lines `git diff REV` adds or changes in the working
//                        tree of the current repository, plus untracked files
//
// Whole translation units are still analysed and the cross-TU facts still
// linked: only which findings are reported changes (see docs/cli.md).
#pragma once

#include "Finding.h"

#include "llvm/ADT/StringRef.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tether {

class LineFilter {
public:
  // Parses clang-tidy's --line-filter JSON. On error returns nullopt and
  // sets Why to one line.
  static std::optional<LineFilter> fromJson(llvm::StringRef Text,
                                            std::string &Why);
  // Runs `git diff -U0 REV` (and lists untracked files) in the repository
  // holding Dir. On error returns nullopt and sets Why to one line.
  static std::optional<LineFilter> fromGitDiff(llvm::StringRef Rev,
                                               llvm::StringRef Dir,
                                               std::string &Why);
  // Parses a unified diff (the "+++ b/PATH" and "@@ ... +START,COUNT @@"
  // lines); paths are made absolute against Top. Exposed for tests.
  static LineFilter fromUnifiedDiff(llvm::StringRef Diff, llvm::StringRef Top);

  // Is File:Line among the changed lines? File is an absolute path.
  bool contains(llvm::StringRef File, unsigned Line) const;
  // The finding's primary location (or, with Notes, any of its notes).
  bool keeps(const Finding &F, bool Notes) const;

  // Whole file: no ranges.
  void addFile(std::string Name);
  void addRange(std::string Name, unsigned First, unsigned Last);
  size_t files() const { return Files.size(); }

private:
  struct Entry {
    std::string Name;     // absolute, or a path suffix (clang-tidy)
    bool Absolute = false;
    std::vector<std::pair<unsigned, unsigned>> Ranges; // empty: every line
    bool Whole = false;
  };
  Entry &entry(std::string Name);
  std::vector<Entry> Files;
  std::map<std::string, size_t> Index;
};

// Drops the findings the filter does not keep; returns how many it dropped.
size_t applyLineFilter(std::vector<Finding> &Findings, const LineFilter &LF,
                       bool Notes);

} // namespace tether
