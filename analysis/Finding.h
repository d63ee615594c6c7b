// Finding: one diagnostic produced by a check, in a form that no longer needs
// the translation unit it came from (file/line/col resolved, source line
// captured). Findings from every TU are merged, filtered and written by tool/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tether {

enum class Severity { Remark, Warning, Error };

const char *severityName(Severity S); // "remark", "warning", "error"

struct SourcePoint {
  std::string File;     // absolute, normalized path
  unsigned Line = 0;    // 1-based
  unsigned Column = 0;  // 1-based, in bytes
  unsigned EndLine = 0; // 0 when unknown
  unsigned EndColumn = 0;
  std::string LineText; // the full source line, for carets and snippets

  bool valid() const { return !File.empty() && Line != 0; }
};

// A step on the path that leads to the finding ("channel created here",
// "closed here", "thread started here"). Rendered as `note:` lines, SARIF
// codeFlows and JSON notes.
struct Note {
  SourcePoint Where;
  std::string Message;
  // The thread the step runs in: an index into Finding::Threads. 0 is the
  // thread of the finding's primary location.
  unsigned Thread = 0;
};

struct FixIt {
  SourcePoint Where; // start; End* give the replaced range
  std::string Replacement;
};

struct Finding {
  std::string CheckId;
  Severity Level = Severity::Warning;
  SourcePoint Where;
  std::string Message;
  std::vector<Note> Notes;
  // The threads the path runs through, named for a reader ("thread started
  // at pool.cpp:42", "thread calling 'Pool::stop'"); Threads[0] runs the
  // primary location. Empty when the check does not tell threads apart:
  // then every step is in one thread.
  std::vector<std::string> Threads;
  std::vector<FixIt> Fixes;
  // Qualified name of the enclosing function ("" at namespace scope).
  std::string Function;
  // Source text of the statement; part of the fingerprint (whitespace
  // normalized there) so that it survives unrelated line shifts.
  std::string AnchorText;
  // Set by the driver after merging: xxh3 of CheckId, Function, AnchorText
  // and the occurrence index among identical triples.
  std::string Fingerprint;
};

// Orders findings by file, line, column, check id: the order every writer uses.
bool operator<(const Finding &A, const Finding &B);

} // namespace tether
