// `tether check --export-fixes FILE`: the findings and their fix-its in the
// YAML clang-tidy writes with the same option, which clang-apply-replacements
// reads (a clang::tooling::TranslationUnitDiagnostics document).
#pragma once

#include "Finding.h"

#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
}

namespace tether {

// Writes every finding as a diagnostic (name: the check id; message, file and
// byte offset; its notes) with its fix-its as replacements (file, byte
// offset, length, text). Offsets are computed from the files as they are
// now: a fix-it whose line no longer reads as it did during the analysis is
// left out, with a warning on Err, as are edits that overlap another of the
// same finding. BuildDirectory is recorded for relative paths (tether's are
// absolute).
void writeExportFixes(llvm::raw_ostream &OS, const std::vector<Finding> &Findings,
                      const std::string &BuildDirectory, llvm::raw_ostream &Err);

} // namespace tether
