#include "Suppress.h"
#include "TUChecks.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"

namespace tether {

const CheckInfo UnusedSuppressionInfo{
    "unused-suppression",
    "A NOLINT comment names a tether check but suppresses nothing.",
    "The suppression no longer matches any finding: the code changed or the "
    "check became more precise. Remove it so that it cannot hide a future "
    "finding.",
    Severity::Warning};

// The clang-tidy plugin names tether's checks tether-<id>
// (docs/clang-tidy.md): `NOLINT(tether-cancel-lost)` and `NOLINT(tether-*)`
// suppress here as they do there, so one comment serves both front ends.
static std::string withoutTidyPrefix(llvm::StringRef Glob) {
  bool Neg = Glob.consume_front("-");
  Glob.consume_front("tether-");
  return (Neg ? "-" : "") + Glob.str();
}

static bool globsMatch(const std::vector<std::string> &Globs,
                       llvm::StringRef Id) {
  std::string Joined;
  for (const auto &G : Globs)
    Joined += G + ",";
  return checkEnabled(Joined, Id);
}

std::vector<SuppressionIndex::Directive> &
SuppressionIndex::directivesOf(const std::string &File) {
  auto It = Files.find(File);
  if (It != Files.end())
    return It->second;
  std::vector<Directive> &Out = Files[File];
  auto Buf = llvm::MemoryBuffer::getFile(File);
  if (!Buf)
    return Out;
  llvm::SmallVector<llvm::StringRef, 0> Lines;
  (*Buf)->getBuffer().split(Lines, '\n');
  for (unsigned I = 0; I < Lines.size(); ++I) {
    llvm::StringRef L = Lines[I];
    size_t Pos = 0;
    while ((Pos = L.find("NOLINT", Pos)) != llvm::StringRef::npos) {
      llvm::StringRef Rest = L.drop_front(Pos + 6);
      Directive D{Directive::SameLine, I + 1, unsigned(Pos + 1), false, {},
                  L.rtrim("\r").str()};
      if (Rest.consume_front("NEXTLINE"))
        D.K = Directive::NextLine;
      else if (Rest.consume_front("BEGIN"))
        D.K = Directive::Begin;
      else if (Rest.consume_front("END"))
        D.K = Directive::End;
      if (Rest.consume_front("(")) {
        size_t Close = Rest.find(')');
        if (Close != llvm::StringRef::npos) {
          D.HasList = true;
          llvm::SmallVector<llvm::StringRef, 4> Items;
          Rest.take_front(Close).split(Items, ',', -1, false);
          for (llvm::StringRef S : Items)
            if (!S.trim().empty())
              D.Globs.push_back(withoutTidyPrefix(S.trim()));
        }
      }
      Out.push_back(std::move(D));
      Pos += 6;
    }
  }
  return Out;
}

void SuppressionIndex::apply(std::vector<Finding> &Findings,
                             const std::vector<std::string> &ScanFiles,
                             const std::vector<std::string> &KnownIds,
                             bool ReportUnused) {
  auto Suppresses = [](const Directive &D, llvm::StringRef Id) {
    return !D.HasList || globsMatch(D.Globs, Id);
  };
  std::vector<Finding> Kept;
  for (Finding &F : Findings) {
    bool Suppressed = false;
    auto &Ds = directivesOf(F.Where.File);
    std::vector<Directive *> Open; // NOLINTBEGIN blocks around the line
    for (Directive &D : Ds) {
      if (D.Line > F.Where.Line)
        break;
      if (D.K == Directive::Begin)
        Open.push_back(&D);
      else if (D.K == Directive::End && !Open.empty())
        Open.pop_back();
    }
    for (Directive *D : Open)
      if (Suppresses(*D, F.CheckId)) {
        D->Used = Suppressed = true;
        break;
      }
    for (Directive &D : Ds) {
      if (Suppressed)
        break;
      bool Here = (D.K == Directive::SameLine && D.Line == F.Where.Line) ||
                  (D.K == Directive::NextLine && D.Line + 1 == F.Where.Line);
      if (Here && Suppresses(D, F.CheckId))
        D.Used = Suppressed = true;
    }
    if (!Suppressed)
      Kept.push_back(std::move(F));
  }
  Findings = std::move(Kept);
  if (!ReportUnused)
    return;
  for (const std::string &File : ScanFiles)
    for (Directive &D : directivesOf(File)) {
      if (D.Used || !D.HasList || D.K == Directive::End)
        continue;
      bool NamesTether = false;
      for (const std::string &Id : KnownIds)
        if (globsMatch(D.Globs, Id))
          NamesTether = true;
      if (!NamesTether)
        continue;
      Finding F;
      F.CheckId = UnusedSuppressionInfo.Id;
      F.Level = UnusedSuppressionInfo.DefaultLevel;
      F.Where.File = File;
      F.Where.Line = D.Line;
      F.Where.Column = D.Column;
      F.Where.LineText = D.LineText;
      F.Message = "suppression comment does not suppress any finding";
      F.AnchorText = llvm::StringRef(D.LineText).trim().str();
      Findings.push_back(std::move(F));
    }
}

} // namespace tether
