// Output writers and the finding post-processing shared by every format:
// fingerprints, baselines. Writers take merged, sorted findings.
#pragma once

#include "CheckInfo.h"
#include "Finding.h"

#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
}

namespace tether {

// A translation unit (or input) that could not be analysed.
struct InputError {
  std::string File;
  std::string Message;
};

struct RunInfo {
  std::string ToolName = "tether";
  std::string ToolVersion;     // TETHER_VERSION
  std::string InformationUri;  // project home page
  std::string DocsBaseUrl;     // <DocsBaseUrl>/<check-id>.md
  // Directory that SARIF/JSON paths are made relative to (the repository
  // root: nearest ancestor of the compile DB with .git, else the cwd).
  // Paths outside it stay absolute.
  std::string SourceRoot;
  std::vector<CheckInfo> Checks; // every enabled check, sorted by id
  std::vector<InputError> Errors;
  std::vector<std::string> CommandLine;
};

// Fills Finding::Fingerprint: hex of xxh3_64(check id, function, normalized
// anchor text, occurrence index among findings sharing those three). Stable
// under unrelated line shifts and under reordering of files.
void assignFingerprints(std::vector<Finding> &Findings);

// clang-style text: `file:line:col: warning: message [check-id]`, the source
// line and a caret, then `note:` lines (each with its own source line and
// caret). Paths as given (absolute) unless relative to SourceRoot is shorter.
void writeText(llvm::raw_ostream &OS, const std::vector<Finding> &Findings,
               const RunInfo &Info, bool Color);

// JSON: schema documented in docs/json-format.md, "version": 1.
void writeJson(llvm::raw_ostream &OS, const std::vector<Finding> &Findings,
               const RunInfo &Info);

// SARIF 2.1.0 (validated by @microsoft/sarif-multitool in the tests).
void writeSarif(llvm::raw_ostream &OS, const std::vector<Finding> &Findings,
                const RunInfo &Info);

// GitLab Code Quality JSON (Code Climate issues): one issue per finding,
// paths relative to SourceRoot (OutputCodeClimate.cpp).
void writeCodeClimate(llvm::raw_ostream &OS, const std::vector<Finding> &Findings,
                      const RunInfo &Info);

// Baselines: a JSON file listing fingerprints (with check id, file and message
// for humans). readBaseline returns false and sets Error on a malformed file.
bool readBaseline(const std::string &Path, std::vector<std::string> &Fingerprints,
                  std::string &Error);
// The same on a baseline's text (Path names it in messages).
bool parseBaseline(const std::string &Text, const std::string &Path,
                   std::vector<std::string> &Fingerprints, std::string &Error);
bool writeBaseline(const std::string &Path, const std::vector<Finding> &Findings,
                   std::string &Error);
// Removes findings whose fingerprint is in the baseline; returns how many.
size_t applyBaseline(std::vector<Finding> &Findings,
                     const std::vector<std::string> &Fingerprints);

} // namespace tether
