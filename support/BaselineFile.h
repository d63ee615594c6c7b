// The baseline file format, read by `tether check --baseline` and by
// `tether report --baseline`:
//   {"version": 1, "fingerprints": [{"fingerprint": "...", "check": "...",
//                                    "file": "...", "message": "..."}]}
// Read as a stream of JSON events (a baseline can hold millions of entries),
// after the nesting guard. Links no LLVM.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tether {

constexpr int64_t BaselineVersion = 1;

struct BaselineProblem {
  unsigned Line = 0, Column = 0; // 0: the problem has no position
  std::string Message;           // "missing array \"fingerprints\"", ...
};

// The fingerprints of a baseline's text; false with Problem set when the
// text is not a valid baseline (Fingerprints is then unchanged).
bool parseBaselineText(const std::string &Text,
                       std::vector<std::string> &Fingerprints,
                       BaselineProblem &Problem);

} // namespace tether
