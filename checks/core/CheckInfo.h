// Static description of a check: what writers need to describe a rule
// (SARIF rules[], the JSON header, `tether check --list-checks`).
#pragma once

#include "Finding.h"

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace tether {

// A check option's type, as `.tether.yaml` writes its value.
enum class OptionType {
  Bool,    // true | false
  Integer, // a decimal number >= 0
  Globs,   // comma-separated name globs (llvm::GlobPattern syntax)
};

// One option a check declares: its key in `.tether.yaml` is "<check-id>.<Name>".
struct OptionInfo {
  std::string Name;        // "allow_detached"
  OptionType Type = OptionType::Bool;
  std::string Default;     // the value used when the config does not set it
  std::string Description; // one line, for --list-options and the docs
};

llvm::StringRef optionTypeName(OptionType T);

struct CheckInfo {
  std::string Id;      // stable id: "channel-double-close"
  std::string Summary; // one sentence, shown as SARIF shortDescription
  std::string Help;    // a paragraph: what is wrong and how to fix it
  Severity DefaultLevel = Severity::Warning;
  // The options the check reads; any other "<Id>.*" key is a config error.
  std::vector<OptionInfo> Options = {};
  // Path of the doc page relative to the repository root: docs/checks/<id>.md
  std::string docPath() const { return "docs/checks/" + Id + ".md"; }
};

} // namespace tether
