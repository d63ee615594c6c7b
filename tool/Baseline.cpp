// Baseline files: fingerprints of accepted findings.
//   {"version": 1, "fingerprints": [{"fingerprint": "...", "check": "...",
//                                    "file": "...", "message": "..."}]}
#include "Output.h"
#include "OutputDetail.h"
#include "Limits.h"
#include "SafeIO.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"

namespace tether {
using output_detail::jsonString;

namespace {
constexpr int64_t BaselineVersion = 1;

// llvm::json reports "[line:col, byte=N]: message"; turn it into the
// "path:line:col: message" form editors understand.
std::string parseErrorText(const std::string &Path, llvm::Error E) {
  std::string Msg = llvm::toString(std::move(E));
  llvm::SmallVector<llvm::StringRef, 4> M;
  if (llvm::Regex("^\\[([0-9]+):([0-9]+), byte=[0-9]+\\]: (.*)$")
          .match(Msg, &M))
    return Path + ":" + M[1].str() + ":" + M[2].str() +
           ": malformed baseline: " + M[3].str();
  return Path + ": malformed baseline: " + Msg;
}
} // namespace

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
  TextProblem P;
  if (!checkJsonNesting(Text, MaxNestingDepth, P)) {
    Error = Path + ":" + std::to_string(P.Line) + ":" +
            std::to_string(P.Column) + ": malformed baseline: " + P.Message;
    return false;
  }
  llvm::Expected<llvm::json::Value> Parsed = llvm::json::parse(Text);
  if (!Parsed) {
    Error = parseErrorText(Path, Parsed.takeError());
    return false;
  }
  auto Fail = [&](const std::string &What) {
    Error = Path + ": malformed baseline: " + What;
    return false;
  };
  const llvm::json::Object *Root = Parsed->getAsObject();
  if (!Root)
    return Fail("expected a JSON object at the top level");
  std::optional<int64_t> Version = Root->getInteger("version");
  if (!Version)
    return Fail("missing integer \"version\"");
  if (*Version != BaselineVersion)
    return Fail("unsupported version " + std::to_string(*Version) +
                " (this tether reads version " +
                std::to_string(BaselineVersion) + ")");
  const llvm::json::Array *List = Root->getArray("fingerprints");
  if (!List)
    return Fail("missing array \"fingerprints\"");
  std::vector<std::string> Out;
  for (size_t I = 0; I < List->size(); ++I) {
    std::string Where = "fingerprints[" + std::to_string(I) + "]";
    const llvm::json::Object *Entry = (*List)[I].getAsObject();
    if (!Entry)
      return Fail(Where + ": expected an object");
    std::optional<llvm::StringRef> FP = Entry->getString("fingerprint");
    if (!FP || FP->empty())
      return Fail(Where + ": missing string \"fingerprint\"");
    Out.push_back(FP->str());
  }
  Fingerprints = std::move(Out);
  return true;
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
