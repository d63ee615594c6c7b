// SARIF 2.1.0 output (see docs/sarif.md).
#include "Output.h"
#include "OutputDetail.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <map>
#include <optional>

namespace tether {
using output_detail::jsonString;
using llvm::json::Array;
using llvm::json::Object;
using llvm::json::Value;

namespace {

constexpr const char *SarifSchema =
    "https://json.schemastore.org/sarif-2.1.0.json";
constexpr const char *RootBaseId = "SRCROOT";
constexpr const char *FingerprintKey = "tetherFingerprint/v1";
// GitHub code scanning rejects a result with more than 10,000 thread flow
// locations or 1,000 locations, and shows only the first 1,000 and 100:
// write no more than it shows.
constexpr size_t MaxThreadFlowLocations = 1000;
constexpr size_t MaxRelatedLocations = 100;

// RFC 3986: everything but unreserved characters and '/' is percent-encoded.
std::string percentEncode(llvm::StringRef Path) {
  std::string Out;
  for (unsigned char C : Path) {
    if (llvm::isAlnum(C) || C == '-' || C == '.' || C == '_' || C == '~' ||
        C == '/') {
      Out.push_back(char(C));
    } else {
      Out.push_back('%');
      Out.push_back(llvm::hexdigit(C >> 4, /*LowerCase=*/false));
      Out.push_back(llvm::hexdigit(C & 15, /*LowerCase=*/false));
    }
  }
  return Out;
}

std::string fileUri(llvm::StringRef AbsPath, bool TrailingSlash) {
  std::string P = llvm::sys::path::convert_to_slash(AbsPath);
  if (P.empty() || P[0] != '/')
    P = "/" + P; // a drive letter path: file:///C:/...
  if (TrailingSlash && P.back() != '/')
    P.push_back('/');
  return "file://" + percentEncode(P);
}

// Columns in findings count bytes; SARIF columns here count Unicode code
// points (run.columnKind), computed from the captured source line.
unsigned codePointColumn(const std::string &LineText, unsigned ByteColumn) {
  if (ByteColumn <= 1 || LineText.empty())
    return ByteColumn;
  size_t Bytes = std::min<size_t>(ByteColumn - 1, LineText.size());
  unsigned Col = 1;
  for (size_t I = 0; I < Bytes; ++I)
    if ((static_cast<unsigned char>(LineText[I]) & 0xC0) != 0x80)
      ++Col;
  return Col + unsigned(ByteColumn - 1 - Bytes);
}

std::string pascalCase(llvm::StringRef Id) {
  std::string Out;
  bool Upper = true;
  for (char C : Id) {
    if (!llvm::isAlnum(C)) {
      Upper = true;
      continue;
    }
    Out.push_back(Upper ? llvm::toUpper(C) : C);
    Upper = false;
  }
  return Out;
}

const char *sarifLevel(Severity S) {
  switch (S) {
  case Severity::Remark:
    return "note";
  case Severity::Warning:
    return "warning";
  case Severity::Error:
    return "error";
  }
  return "warning";
}

std::string stripLineEnd(llvm::StringRef S) {
  while (!S.empty() && (S.back() == '\n' || S.back() == '\r'))
    S = S.drop_back();
  return S.str();
}

class SarifWriter {
public:
  SarifWriter(const std::vector<Finding> &Findings, const RunInfo &Info)
      : Findings(Findings), Info(Info) {}

  Value build() {
    Array Rules = rules();
    Array Results;
    for (const Finding &F : Findings)
      Results.push_back(result(F));
    Array Notifications;
    for (const InputError &E : Info.Errors)
      Notifications.push_back(notification(E));

    Object Invocation{{"executionSuccessful", Info.Errors.empty()}};
    if (!Info.CommandLine.empty()) {
      Invocation["commandLine"] = jsonString(commandLine());
      Array Args;
      for (size_t I = 1; I < Info.CommandLine.size(); ++I)
        Args.push_back(jsonString(Info.CommandLine[I]));
      Invocation["arguments"] = std::move(Args);
    }
    if (!Notifications.empty())
      Invocation["toolExecutionNotifications"] = std::move(Notifications);

    Object Driver{{"name", jsonString(Info.ToolName)},
                  {"rules", std::move(Rules)}};
    if (!Info.ToolVersion.empty()) {
      Driver["version"] = jsonString(Info.ToolVersion);
      Driver["semanticVersion"] = jsonString(Info.ToolVersion);
    }
    if (!Info.InformationUri.empty())
      Driver["informationUri"] = jsonString(Info.InformationUri);

    Object Run{{"tool", Object{{"driver", std::move(Driver)}}},
               {"invocations", Array{std::move(Invocation)}},
               {"columnKind", "unicodeCodePoints"},
               {"results", std::move(Results)}};
    if (!Info.SourceRoot.empty())
      Run["originalUriBaseIds"] = Object{
          {RootBaseId,
           Object{{"uri", jsonString(fileUri(Info.SourceRoot, true))}}}};
    if (!Artifacts.empty())
      Run["artifacts"] = std::move(Artifacts);

    return Object{{"$schema", SarifSchema},
                  {"version", "2.1.0"},
                  {"runs", Array{std::move(Run)}}};
  }

private:
  const std::vector<Finding> &Findings;
  const RunInfo &Info;
  std::map<std::string, size_t> RuleIndex;
  llvm::StringMap<size_t> ArtifactIndex;
  Array Artifacts;

  Array rules() {
    Array Rules;
    auto AddRule = [&](const CheckInfo &C) {
      if (RuleIndex.count(C.Id))
        return;
      RuleIndex[C.Id] = Rules.size();
      std::string Summary = C.Summary.empty() ? C.Id : C.Summary;
      std::string Help = C.Help.empty() ? Summary : C.Help;
      Object Rule{
          {"id", jsonString(C.Id)},
          {"name", jsonString(pascalCase(C.Id))},
          {"shortDescription", Object{{"text", jsonString(Summary)}}},
          {"fullDescription", Object{{"text", jsonString(Help)}}},
          {"defaultConfiguration",
           Object{{"level", sarifLevel(C.DefaultLevel)}}}};
      Object HelpObj{{"text", jsonString(Help)}};
      std::string Markdown = Help;
      if (!Info.DocsBaseUrl.empty()) {
        std::string Uri = Info.DocsBaseUrl + "/" + C.Id + ".md";
        Rule["helpUri"] = jsonString(Uri);
        Markdown += "\n\nSee [" + C.Id + "](" + Uri + ").";
      }
      HelpObj["markdown"] = jsonString(Markdown);
      Rule["help"] = std::move(HelpObj);
      Rules.push_back(std::move(Rule));
    };
    for (const CheckInfo &C : Info.Checks)
      AddRule(C);
    // A finding of a check that is not described (e.g. a disabled check whose
    // finding was merged from a cache) still needs a rule for ruleIndex.
    for (const Finding &F : Findings) {
      CheckInfo C;
      C.Id = F.CheckId;
      C.DefaultLevel = F.Level;
      AddRule(C);
    }
    return Rules;
  }

  // artifactLocation for a file, registering it in run.artifacts.
  Object artifactLocation(const std::string &File) {
    std::string Rel;
    Object Loc;
    if (output_detail::relativeToRoot(File, Info.SourceRoot, Rel)) {
      Loc["uri"] = jsonString(percentEncode(Rel));
      Loc["uriBaseId"] = RootBaseId;
    } else if (llvm::sys::path::is_absolute(File)) {
      Loc["uri"] = jsonString(fileUri(File, false));
    } else {
      Loc["uri"] = jsonString(
          percentEncode(llvm::sys::path::convert_to_slash(File)));
    }
    auto [It, Inserted] = ArtifactIndex.try_emplace(File, Artifacts.size());
    if (Inserted) {
      Object Copy = Loc;
      Artifacts.push_back(Object{{"location", std::move(Copy)},
                                 {"sourceLanguage", "cpp"}});
    }
    Loc["index"] = int64_t(It->second);
    return Loc;
  }

  Object region(const SourcePoint &P, bool WithSnippet) {
    const std::string Line = stripLineEnd(P.LineText);
    unsigned StartCol = P.Column ? P.Column : 1;
    // An end before the start is as good as unknown.
    bool HasEnd = P.EndLine >= P.Line &&
                  (P.EndLine > P.Line || P.EndColumn >= StartCol);
    unsigned EndLine = HasEnd ? P.EndLine : P.Line;
    unsigned EndCol;
    if (HasEnd)
      EndCol = P.EndColumn ? P.EndColumn : StartCol;
    else
      EndCol = StartCol + 1; // unknown end: the character at the start
    if (EndLine == P.Line && EndCol < StartCol)
      EndCol = StartCol;
    Object R{{"startLine", int64_t(P.Line)},
             {"startColumn", int64_t(codePointColumn(Line, StartCol))},
             {"endLine", int64_t(EndLine)}};
    // On a later line the captured text says nothing about code points.
    R["endColumn"] = int64_t(EndLine == P.Line ? codePointColumn(Line, EndCol)
                                               : EndCol);
    if (WithSnippet && EndLine == P.Line && !Line.empty() &&
        StartCol - 1 < Line.size()) {
      llvm::StringRef Text =
          llvm::StringRef(Line).substr(StartCol - 1, EndCol - StartCol);
      if (!Text.empty())
        R["snippet"] = Object{{"text", jsonString(Text)}};
    }
    return R;
  }

  Object physicalLocation(const SourcePoint &P) {
    Object Phys{{"artifactLocation", artifactLocation(P.File)}};
    if (P.Line) {
      Phys["region"] = region(P, /*WithSnippet=*/true);
      std::string Line = stripLineEnd(P.LineText);
      bool SingleLine = !P.EndLine || P.EndLine == P.Line;
      if (SingleLine && !Line.empty())
        Phys["contextRegion"] =
            Object{{"startLine", int64_t(P.Line)},
                   {"endLine", int64_t(P.Line)},
                   {"snippet", Object{{"text", jsonString(Line)}}}};
    }
    return Phys;
  }

  Object location(const SourcePoint &P, const std::string *Message) {
    Object L{{"physicalLocation", physicalLocation(P)}};
    if (Message)
      L["message"] = Object{{"text", jsonString(*Message)}};
    return L;
  }

  // The path as one code flow with one thread flow per thread the finding
  // names (Finding::Threads), in thread order; each holds its thread's
  // notes in order, and the first also the primary location, last. Steps
  // beyond MaxThreadFlowLocations are left out (the latest first, never the
  // primary location), and the code flow's message says how many.
  std::optional<Object> codeFlow(const Finding &F) {
    struct Step {
      unsigned Thread;
      const SourcePoint *Where;
      const std::string *Message;
    };
    std::vector<Step> Steps;
    for (const Note &N : F.Notes)
      if (N.Where.valid())
        Steps.push_back({N.Thread, &N.Where, &N.Message});
    size_t Omitted = 0;
    size_t Budget = MaxThreadFlowLocations - (F.Where.valid() ? 1 : 0);
    if (Steps.size() > Budget) {
      Omitted = Steps.size() - Budget;
      Steps.resize(Budget);
    }
    if (F.Where.valid())
      Steps.push_back({0, &F.Where, &F.Message});
    if (Steps.empty())
      return std::nullopt;

    size_t NumThreads = std::max<size_t>(F.Threads.size(), 1);
    for (const Step &S : Steps)
      NumThreads = std::max(NumThreads, size_t(S.Thread) + 1);
    std::vector<Array> PerThread(NumThreads);
    bool SeveralThreads = llvm::any_of(
        Steps, [&](const Step &S) { return S.Thread != Steps[0].Thread; });
    for (size_t I = 0; I < Steps.size(); ++I) {
      Object L{{"location", location(*Steps[I].Where, Steps[I].Message)}};
      // Across threads, the order of the steps is the order of the path.
      if (SeveralThreads)
        L["executionOrder"] = int64_t(I + 1);
      PerThread[Steps[I].Thread].push_back(std::move(L));
    }
    Array ThreadFlows;
    for (size_t T = 0; T < NumThreads; ++T) {
      if (PerThread[T].empty())
        continue;
      Object Flow;
      // Several threads: each flow says which thread it is.
      if (SeveralThreads) {
        std::string Label = T < F.Threads.size() ? F.Threads[T] : "";
        if (Label.empty())
          Label = "thread " + std::to_string(T + 1);
        Flow["id"] = jsonString(Label);
        Flow["message"] = Object{{"text", jsonString(Label)}};
      }
      Flow["locations"] = std::move(PerThread[T]);
      ThreadFlows.push_back(std::move(Flow));
    }
    Object Code{{"threadFlows", std::move(ThreadFlows)}};
    if (Omitted)
      Code["message"] = Object{
          {"text", jsonString(llvm::formatv(
                                  "{0} of the {1} steps of the path are left "
                                  "out (at most {2} are written)",
                                  Omitted, Omitted + Steps.size(),
                                  MaxThreadFlowLocations)
                                  .str())}};
    return Code;
  }

  Value result(const Finding &F) {
    Object R{{"ruleId", jsonString(F.CheckId)},
             {"ruleIndex", int64_t(RuleIndex.at(F.CheckId))},
             {"level", sarifLevel(F.Level)},
             {"message", Object{{"text", jsonString(F.Message)}}}};
    Object Primary;
    if (F.Where.valid())
      Primary = location(F.Where, nullptr);
    if (!F.Function.empty()) {
      llvm::StringRef Q(F.Function);
      size_t Sep = Q.rfind("::");
      llvm::StringRef Name =
          Sep == llvm::StringRef::npos ? Q : Q.substr(Sep + 2);
      Primary["logicalLocations"] =
          Array{Object{{"name", jsonString(Name)},
                       {"fullyQualifiedName", jsonString(Q)},
                       {"kind", "function"}}};
    }
    Array Locations;
    if (!Primary.empty())
      Locations.push_back(std::move(Primary));
    R["locations"] = std::move(Locations);
    if (!F.Notes.empty()) {
      if (std::optional<Object> Flow = codeFlow(F))
        R["codeFlows"] = Array{std::move(*Flow)};
      Array Related;
      int64_t Id = 1;
      size_t Omitted = 0;
      for (const Note &N : F.Notes) {
        if (!N.Where.valid())
          continue;
        if (Related.size() == MaxRelatedLocations) {
          ++Omitted;
          continue;
        }
        Object L = location(N.Where, &N.Message);
        L["id"] = Id++;
        Related.push_back(std::move(L));
      }
      if (!Related.empty())
        R["relatedLocations"] = std::move(Related);
      if (Omitted)
        R["properties"] = Object{{"omittedRelatedLocations", int64_t(Omitted)}};
    }
    if (!F.Fingerprint.empty())
      R["partialFingerprints"] =
          Object{{FingerprintKey, jsonString(F.Fingerprint)}};
    if (!F.Fixes.empty())
      R["fixes"] = fixes(F);
    return R;
  }

  Array fixes(const Finding &F) {
    // One SARIF fix holding every edit of the finding, grouped by file.
    std::vector<std::string> Files;
    std::map<std::string, Array> Replacements;
    for (const FixIt &X : F.Fixes) {
      if (!X.Where.valid())
        continue;
      if (!Replacements.count(X.Where.File))
        Files.push_back(X.Where.File);
      const std::string Line = stripLineEnd(X.Where.LineText);
      unsigned StartCol = X.Where.Column ? X.Where.Column : 1;
      bool HasEnd = X.Where.EndLine >= X.Where.Line &&
                    (X.Where.EndLine > X.Where.Line ||
                     X.Where.EndColumn >= StartCol);
      unsigned EndLine = HasEnd ? X.Where.EndLine : X.Where.Line;
      unsigned EndCol = HasEnd ? std::max(X.Where.EndColumn, 1u) : StartCol;
      if (EndLine == X.Where.Line && EndCol < StartCol)
        EndCol = StartCol;
      Object Deleted{
          {"startLine", int64_t(X.Where.Line)},
          {"startColumn", int64_t(codePointColumn(Line, StartCol))},
          {"endLine", int64_t(EndLine)},
          {"endColumn", int64_t(EndLine == X.Where.Line
                                    ? codePointColumn(Line, EndCol)
                                    : EndCol)}};
      Object Rep{{"deletedRegion", std::move(Deleted)}};
      if (!X.Replacement.empty())
        Rep["insertedContent"] = Object{{"text", jsonString(X.Replacement)}};
      Replacements[X.Where.File].push_back(std::move(Rep));
    }
    Array Changes;
    for (const std::string &File : Files)
      Changes.push_back(
          Object{{"artifactLocation", artifactLocation(File)},
                 {"replacements", std::move(Replacements[File])}});
    if (Changes.empty())
      return Array{};
    return Array{Object{
        {"description", Object{{"text", jsonString("Apply the fix suggested by " +
                                                   F.CheckId + ".")}}},
        {"artifactChanges", std::move(Changes)}}};
  }

  Value notification(const InputError &E) {
    Object N{{"level", "error"},
             {"message", Object{{"text", jsonString("cannot analyse " +
                                                    E.File + ": " +
                                                    E.Message)}}},
             {"descriptor", Object{{"id", "input-error"}}}};
    if (!E.File.empty())
      N["locations"] = Array{Object{
          {"physicalLocation",
           Object{{"artifactLocation", artifactLocation(E.File)}}}}};
    return N;
  }

  std::string commandLine() const {
    std::string Out;
    for (const std::string &Arg : Info.CommandLine) {
      if (!Out.empty())
        Out.push_back(' ');
      bool Plain = !Arg.empty();
      for (char C : Arg)
        if (!(llvm::isAlnum(C) || llvm::StringRef("-_=./,:+@%").contains(C)))
          Plain = false;
      if (Plain) {
        Out += Arg;
        continue;
      }
      Out.push_back('\'');
      for (char C : Arg) {
        if (C == '\'')
          Out += "'\\''";
        else
          Out.push_back(C);
      }
      Out.push_back('\'');
    }
    return Out;
  }
};

} // namespace

void writeSarif(llvm::raw_ostream &OS, const std::vector<Finding> &Findings,
                const RunInfo &Info) {
  Value Log = SarifWriter(Findings, Info).build();
  OS << llvm::formatv("{0:2}", Log) << '\n';
  OS.flush();
}

} // namespace tether
