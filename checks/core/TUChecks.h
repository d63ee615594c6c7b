// The checks layer as the tool sees it, without an analysis header: which
// checks exist, the options they declare, and which ones a set of globs
// enables.
#pragma once

#include "CheckInfo.h"
#include "Finding.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <map>
#include <string>
#include <vector>

namespace tether {

// Every check tether ships, in registration order (checks/Checks.cpp).
const std::vector<CheckInfo> &registeredChecks();

// `--checks` globs: "*,-channel-*,channel-double-close". Later entries win.
bool checkEnabled(llvm::StringRef Globs, llvm::StringRef Id);

// `options:` of a config, as written: "check-id.name" -> value.
using OptionValues = std::map<std::string, std::string>;

// Validates one option against the declarations of Known: the check exists,
// declares the option, and the value has the declared type. On failure
// returns false and sets Error to one line naming what is known
// ("unknown option 'x.y'; x has: a, b").
bool validateOption(llvm::StringRef Key, llvm::StringRef Value,
                    llvm::ArrayRef<CheckInfo> Known, std::string &Error);

} // namespace tether
