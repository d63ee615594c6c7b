// Static description of a check: what writers need to describe a rule
// (SARIF rules[], the JSON header, `tether check --list-checks`).
#pragma once

#include "Finding.h"

#include <string>

namespace tether {

struct CheckInfo {
  std::string Id;      // stable id: "channel-double-close"
  std::string Summary; // one sentence, shown as SARIF shortDescription
  std::string Help;    // a paragraph: what is wrong and how to fix it
  Severity DefaultLevel = Severity::Warning;
  // Path of the doc page relative to the repository root: docs/checks/<id>.md
  std::string docPath() const { return "docs/checks/" + Id + ".md"; }
};

} // namespace tether
