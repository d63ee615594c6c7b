// Helpers shared by the output writers (defined in Output.cpp).
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/JSON.h"

#include <string>

namespace tether::output_detail {

// Collapses whitespace runs to one space and trims: the fingerprint's view
// of a statement's text.
std::string normalizeAnchor(llvm::StringRef Text);
// Rel receives File relative to Root (forward slashes) when File lies inside
// Root; returns false otherwise.
bool relativeToRoot(const std::string &File, const std::string &Root,
                    std::string &Rel);
// The path as a user reads it: relative to Root when that is shorter.
std::string displayPath(const std::string &File, const std::string &Root);
// llvm::json requires UTF-8; source lines and paths need not be.
llvm::json::Value jsonString(llvm::StringRef S);

} // namespace tether::output_detail
