// Baseline files: fingerprints of accepted findings.
//   {"version": 1, "fingerprints": [{"fingerprint": "...", "check": "...",
//                                    "file": "...", "message": "..."}]}
#include "Output.h"
#include "OutputDetail.h"
#include "BaselineFile.h"
#include "SafeIO.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace tether {
using output_detail::jsonString;

bool readBaseline(const std::string &Path,
                  std::vector<std::string> &Fingerprints, std::string &Error) {
  std::string Text, Why;
  if (!readInputFile(Path, MaxBaselineBytes, Text, Why)) {
    Error = Path + ": cannot read baseline: " + Why;
    return false;
  }
  return parseBaseline(Text, Path, Fingerprints, Error);
}

bool parseBaseline(const std::string &Text, const std::string &Path,
                   std::vector<std::string> &Fingerprints, std::string &Error) {
  BaselineProblem P;
  if (parseBaselineText(Text, Fingerprints, P))
    return true;
  Error = Path;
  if (P.Line)
    Error += ":" + std::to_string(P.Line) + ":" + std::to_string(P.Column);
  Error += ": malformed baseline: " + P.Message;
  return false;
}

bool writeBaseline(const std::string &Path, const std::vector<Finding> &Findings,
                   std::string &Error) {
  llvm::SmallString<256> Cwd;
  std::string CwdStr;
  if (!llvm::sys::fs::current_path(Cwd))
    CwdStr = std::string(Cwd.str());
  llvm::json::Array Entries;
  for (const Finding &F : Findings) {
    if (F.Fingerprint.empty()) {
      Error = Path + ": cannot write baseline: finding '" + F.Message +
              "' [" + F.CheckId + "] has no fingerprint";
      return false;
    }
    std::string File = F.Where.File, Rel;
    if (output_detail::relativeToRoot(File, CwdStr, Rel))
      File = Rel;
    Entries.push_back(llvm::json::Object{{"fingerprint", jsonString(F.Fingerprint)},
                                         {"check", jsonString(F.CheckId)},
                                         {"file", jsonString(File)},
                                         {"message", jsonString(F.Message)}});
  }
  llvm::json::Value Root = llvm::json::Object{
      {"version", BaselineVersion}, {"fingerprints", std::move(Entries)}};

  // Replaced atomically (a failure leaves the old baseline untouched), or
  // written in place when it is a device or FIFO (SafeIO.h).
  std::string Why;
  if (!writeOutputFile(
          Path,
          [&](std::string &Out) {
            llvm::raw_string_ostream OS(Out);
            OS << llvm::formatv("{0:2}", Root) << '\n';
          },
          Why)) {
    Error = Path + ": cannot write baseline: " + Why;
    return false;
  }
  return true;
}

} // namespace tether
