// The HTML report: one self-contained page from `tether check` JSON files
// and runtime dumps. Links no LLVM: `tether report`, `tether check -o html:`
// and the standalone `tether-report` all go through here.
#pragma once

#include "Model.h"

#include <ostream>
#include <string>
#include <vector>

namespace tether::report {

struct Options {
  std::string Title = "tether report";
  std::string SourceRoot;  // where findings' relative paths are read from
  std::string DocsBase;    // <DocsBase>/<check-id>.md; "" = installed docs
  std::string Baseline;    // baseline file: marks findings new or known
  bool KeepGoing = false;  // render the good inputs when one is bad
};

// The installed documentation of the checks (a file: URL), or the source
// tree's when running from a build directory; "" when neither exists.
std::string defaultDocsBase();

// The page for M. Reads the findings' source files under SourceRoot for
// the excerpts (a file that cannot be read gets no excerpt).
std::string renderPage(const Model &M, const Options &O);

// The page's script, whose SHA-256 the page's CSP names.
std::string ReportJsText();

// `tether report` / `tether-report`: argv[0] is the command's name. Returns
// the exit code: 0, 2 for bad input or usage, 4 when the output cannot be
// written.
int reportMain(int Argc, const char *const *Argv, std::ostream &Out,
               std::ostream &Err);

} // namespace tether::report
