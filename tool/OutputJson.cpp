// JSON output; the schema is documented in docs/json-format.md.
#include "Output.h"
#include "OutputDetail.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace tether {
using output_detail::jsonString;

namespace {

constexpr int JsonFormatVersion = 1;

llvm::json::Value filePath(const std::string &File, const RunInfo &Info) {
  std::string Rel;
  if (output_detail::relativeToRoot(File, Info.SourceRoot, Rel))
    return jsonString(Rel);
  return jsonString(File);
}

llvm::json::Object point(const SourcePoint &P, const RunInfo &Info) {
  return llvm::json::Object{{"file", filePath(P.File, Info)},
                            {"line", int64_t(P.Line)},
                            {"column", int64_t(P.Column)}};
}

llvm::json::Value finding(const Finding &F, const RunInfo &Info) {
  llvm::json::Object O = point(F.Where, Info);
  O["check"] = jsonString(F.CheckId);
  O["severity"] = severityName(F.Level);
  O["message"] = jsonString(F.Message);
  O["end_line"] = int64_t(F.Where.EndLine);
  O["end_column"] = int64_t(F.Where.EndColumn);
  O["function"] = jsonString(F.Function);
  O["fingerprint"] = jsonString(F.Fingerprint);
  llvm::json::Array Notes;
  for (const Note &N : F.Notes) {
    llvm::json::Object NO = point(N.Where, Info);
    NO["message"] = jsonString(N.Message);
    NO["thread"] = int64_t(N.Thread);
    Notes.push_back(std::move(NO));
  }
  O["notes"] = std::move(Notes);
  llvm::json::Array Threads;
  for (const std::string &T : F.Threads)
    Threads.push_back(jsonString(T));
  O["threads"] = std::move(Threads);
  llvm::json::Array Fixes;
  for (const FixIt &X : F.Fixes) {
    llvm::json::Object XO = point(X.Where, Info);
    // An insertion has no end: it replaces the empty range at its start.
    bool HasEnd = X.Where.EndLine != 0;
    XO["end_line"] = int64_t(HasEnd ? X.Where.EndLine : X.Where.Line);
    XO["end_column"] = int64_t(HasEnd ? X.Where.EndColumn : X.Where.Column);
    XO["replacement"] = jsonString(X.Replacement);
    Fixes.push_back(std::move(XO));
  }
  O["fixes"] = std::move(Fixes);
  return O;
}

} // namespace

void writeJson(llvm::raw_ostream &OS, const std::vector<Finding> &Findings,
               const RunInfo &Info) {
  llvm::json::Array FindingsArray;
  for (const Finding &F : Findings)
    FindingsArray.push_back(finding(F, Info));
  llvm::json::Array Errors;
  for (const InputError &E : Info.Errors)
    Errors.push_back(llvm::json::Object{{"file", filePath(E.File, Info)},
                                        {"message", jsonString(E.Message)}});
  llvm::json::Array Checks;
  for (const CheckInfo &C : Info.Checks) {
    llvm::json::Object CO{{"id", jsonString(C.Id)},
                          {"summary", jsonString(C.Summary)},
                          {"help", jsonString(C.Help)},
                          {"default_severity", severityName(C.DefaultLevel)}};
    if (!Info.DocsBaseUrl.empty())
      CO["help_uri"] = jsonString(Info.DocsBaseUrl + "/" + C.Id + ".md");
    Checks.push_back(std::move(CO));
  }
  llvm::json::Value Root = llvm::json::Object{
      {"version", JsonFormatVersion},
      {"tool",
       llvm::json::Object{{"name", jsonString(Info.ToolName)},
                          {"version", jsonString(Info.ToolVersion)}}},
      {"findings", std::move(FindingsArray)},
      {"errors", std::move(Errors)},
      {"checks", std::move(Checks)}};
  OS << llvm::formatv("{0:2}", Root) << '\n';
  OS.flush();
}

} // namespace tether
