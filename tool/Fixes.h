// `tether check --fix` / `--fix-dry-run`: applies the fix-its carried by the
// reported findings to the source files.
//
// Edits from every translation unit are collected per file; identical edits
// (a header's fix seen from two TUs) count once; overlapping edits that
// differ are refused (reported, and none of the findings involved are
// applied in that file). Files are rewritten atomically (temporary file in
// the same directory + rename, permissions kept) and only when they are
// analysed sources or headers the header filter selects, and when the lines
// the edits touch still read as they did during the analysis.
#pragma once

#include "Finding.h"

#include <functional>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
}

namespace tether {

struct FixOptions {
  bool DryRun = false; // print a unified diff instead of writing
  // May this file be edited? (an analysed source, or a header the header
  // filter selects)
  std::function<bool(const std::string &)> Allowed;
  // Paths in the diff are shown relative to this directory when inside it.
  std::string DisplayRoot;
};

struct FixSummary {
  unsigned Applied = 0; // edits applied (or that would be, in a dry run)
  unsigned Files = 0;   // files changed
  unsigned Refused = 0; // edits not applied: conflicts, stale or
                        // forbidden files
  bool Error = false;   // a file could not be read or written
};

// Applies (or, in a dry run, prints to Out as a unified diff) the fixes of
// Findings. Messages about refused edits and errors go to Err.
FixSummary applyFixes(const std::vector<Finding> &Findings,
                      const FixOptions &Opts, llvm::raw_ostream &Out,
                      llvm::raw_ostream &Err);

} // namespace tether
