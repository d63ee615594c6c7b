// Guards run before a recursive parser sees untrusted text: LLVM's YAML and
// JSON parsers recurse once per nesting level, so 100,000 nested '[' would
// overflow the stack. These scans are iterative and cheap (one pass).
#pragma once

#include <string>
#include <string_view>

namespace tether {

// Nesting deeper than this is refused in configs, models, baselines and
// compile databases; none of their schemas nests deeper than 8.
constexpr unsigned MaxNestingDepth = 64;

struct TextProblem {
  unsigned Line = 0, Column = 0; // 1-based
  std::string Message;           // e.g. "nesting deeper than 64 levels"
};

// JSON: counts '[' and '{' outside strings. False with Problem set when the
// nesting exceeds MaxDepth.
bool checkJsonNesting(std::string_view Text, unsigned MaxDepth,
                      TextProblem &Problem);

// YAML: block indentation levels, compact "- - x" entries and flow
// collections together must not exceed MaxDepth; anchors and aliases
// ("&a", "*a"), which tether's readers do not support, are refused with a
// message that says so.
bool checkYamlText(std::string_view Text, unsigned MaxDepth,
                   TextProblem &Problem);

} // namespace tether
