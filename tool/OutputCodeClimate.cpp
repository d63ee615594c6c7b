// GitLab Code Quality (a subset of the Code Climate issue format): a JSON
// array with one object per finding. GitLab reads description, check_name,
// fingerprint, severity, location.path (relative to the repository root) and
// location.lines.begin; it shows one finding per fingerprint, so the
// fingerprints (tether's, stable across line shifts) are unique per report.
#include "Output.h"
#include "OutputDetail.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace tether {
using output_detail::jsonString;

namespace {

// Code Climate severities: info, minor, major, critical, blocker.
const char *codeClimateSeverity(Severity S) {
  switch (S) {
  case Severity::Remark:
    return "info";
  case Severity::Warning:
    return "major";
  case Severity::Error:
    return "critical";
  }
  return "major";
}

std::string relativePath(const std::string &File, const RunInfo &Info) {
  std::string Rel;
  if (output_detail::relativeToRoot(File, Info.SourceRoot, Rel))
    return Rel;
  return File;
}

} // namespace

void writeCodeClimate(llvm::raw_ostream &OS,
                      const std::vector<Finding> &Findings,
                      const RunInfo &Info) {
  llvm::json::Array Issues;
  for (const Finding &F : Findings) {
    llvm::json::Object Lines{{"begin", int64_t(F.Where.Line)}};
    if (F.Where.EndLine >= F.Where.Line)
      Lines["end"] = int64_t(F.Where.EndLine);
    // The path notes, as the issue's body (GitLab shows it in the details).
    std::string Body;
    llvm::raw_string_ostream BS(Body);
    for (const Note &N : F.Notes)
      BS << output_detail::displayPath(N.Where.File, Info.SourceRoot) << ':'
         << N.Where.Line << ':' << N.Where.Column << ": " << N.Message << '\n';
    BS.flush();
    llvm::json::Object Issue{
        {"type", "issue"},
        {"check_name", jsonString(F.CheckId)},
        {"description", jsonString(F.Message)},
        {"categories", llvm::json::Array{"Bug Risk"}},
        {"fingerprint", jsonString(F.Fingerprint)},
        {"severity", codeClimateSeverity(F.Level)},
        {"location",
         llvm::json::Object{{"path", jsonString(relativePath(F.Where.File, Info))},
                            {"lines", std::move(Lines)}}}};
    if (!Body.empty())
      Issue["content"] = llvm::json::Object{{"body", jsonString(Body)}};
    Issues.push_back(std::move(Issue));
  }
  OS << llvm::formatv("{0:2}", llvm::json::Value(std::move(Issues))) << '\n';
  OS.flush();
}

} // namespace tether
