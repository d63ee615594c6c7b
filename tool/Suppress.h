// Inline suppressions, the convention clang-tidy users know:
//   code();  // NOLINT(channel-double-close)
//   // NOLINTNEXTLINE(channel-*)
//   // NOLINTBEGIN(check) ... // NOLINTEND(check)
// A bare NOLINT (no list) suppresses every tether finding on its line. A
// check is named by its id or, as the clang-tidy plugin names it, by
// tether-<id> (`NOLINT(tether-channel-double-close)`, `NOLINT(tether-*)`). A
// NOLINT whose list names a tether check but suppresses nothing is reported
// (`unused-suppression`): stale suppressions hide the next real bug.
#pragma once

#include "CheckInfo.h"
#include "Finding.h"

#include <map>
#include <string>
#include <vector>

namespace tether {

extern const CheckInfo UnusedSuppressionInfo;

class SuppressionIndex {
public:
  // Removes suppressed findings. KnownIds: ids of enabled checks (used to
  // decide which NOLINT lists concern tether). Then appends an
  // unused-suppression finding for every NOLINT in ScanFiles that names an
  // enabled tether check and suppressed nothing.
  void apply(std::vector<Finding> &Findings,
             const std::vector<std::string> &ScanFiles,
             const std::vector<std::string> &KnownIds, bool ReportUnused);

private:
  struct Directive {
    enum Kind { SameLine, NextLine, Begin, End } K;
    unsigned Line;   // 1-based line of the comment
    unsigned Column; // 1-based column of "NOLINT"
    bool HasList;
    std::vector<std::string> Globs;
    std::string LineText;
    bool Used = false;
  };
  std::vector<Directive> &directivesOf(const std::string &File);
  std::map<std::string, std::vector<Directive>> Files;
};

} // namespace tether
