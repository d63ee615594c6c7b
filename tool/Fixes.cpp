#include "Fixes.h"
#include "SafeIO.h"

#include "clang/Tooling/Core/Replacement.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace tether {

namespace {

struct Edit {
  unsigned Offset = 0, Length = 0;
  std::string Text;
  size_t Finding = 0; // index into the findings
  unsigned Line = 0, Column = 0;

  bool sameAs(const Edit &O) const {
    return Offset == O.Offset && Length == O.Length && Text == O.Text;
  }
};

bool conflict(const Edit &A, const Edit &B) {
  if (A.sameAs(B))
    return false;
  unsigned AE = A.Offset + A.Length, BE = B.Offset + B.Length;
  // Two insertions at one point: which goes first?
  if (A.Length == 0 && B.Length == 0)
    return A.Offset == B.Offset;
  // An insertion at the start of, or inside, a replaced range.
  if (A.Length == 0)
    return B.Offset <= A.Offset && A.Offset < BE;
  if (B.Length == 0)
    return A.Offset <= B.Offset && B.Offset < AE;
  return A.Offset < BE && B.Offset < AE;
}

// Offsets of the first byte of every line.
std::vector<unsigned> lineStarts(llvm::StringRef Code) {
  std::vector<unsigned> Starts{0};
  for (unsigned I = 0; I < Code.size(); ++I)
    if (Code[I] == '\n' && I + 1 < Code.size())
      Starts.push_back(I + 1);
  return Starts;
}

// Line index (0-based) of an offset.
unsigned lineOf(const std::vector<unsigned> &Starts, unsigned Offset) {
  auto It = std::upper_bound(Starts.begin(), Starts.end(), Offset);
  return unsigned(It - Starts.begin()) - 1;
}

llvm::StringRef lineText(llvm::StringRef Code,
                         const std::vector<unsigned> &Starts, unsigned L) {
  unsigned B = Starts[L];
  unsigned E = L + 1 < Starts.size() ? Starts[L + 1] : Code.size();
  return Code.slice(B, E);
}

std::vector<llvm::StringRef> splitLines(llvm::StringRef S) {
  std::vector<llvm::StringRef> Out;
  while (!S.empty()) {
    size_t N = S.find('\n');
    if (N == llvm::StringRef::npos) {
      Out.push_back(S);
      break;
    }
    Out.push_back(S.take_front(N + 1));
    S = S.drop_front(N + 1);
  }
  return Out;
}

void diffLine(llvm::raw_ostream &Out, char Mark, llvm::StringRef L) {
  Out << Mark << L;
  if (!L.ends_with("\n"))
    Out << "\n\\ No newline at end of file\n";
}

// A unified diff (3 lines of context) of Code with Edits applied (sorted,
// non-overlapping).
void writeDiff(llvm::raw_ostream &Out, llvm::StringRef Shown,
               llvm::StringRef Code, const std::vector<Edit> &Edits) {
  const unsigned Context = 3;
  std::vector<unsigned> Starts = lineStarts(Code);
  unsigned NLines = Code.empty() ? 0 : Starts.size();
  Out << "--- a/" << Shown << "\n+++ b/" << Shown << "\n";
  long Delta = 0;
  size_t I = 0;
  while (I < Edits.size()) {
    // A cluster of edits whose changed lines are close enough to share a
    // hunk.
    auto LastLine = [&](const Edit &E) {
      return lineOf(Starts, E.Length ? E.Offset + E.Length - 1 : E.Offset);
    };
    unsigned First = lineOf(Starts, Edits[I].Offset);
    unsigned Last = LastLine(Edits[I]);
    size_t J = I + 1;
    while (J < Edits.size() &&
           lineOf(Starts, Edits[J].Offset) <= Last + 2 * Context) {
      Last = std::max(Last, LastLine(Edits[J]));
      ++J;
    }
    if (NLines && Last >= NLines)
      Last = NLines - 1;
    unsigned RegionBegin = Starts[First];
    unsigned RegionEnd = Last + 1 < Starts.size() ? Starts[Last + 1]
                                                  : unsigned(Code.size());
    std::string New = Code.slice(RegionBegin, RegionEnd).str();
    for (size_t K = J; K-- > I;)
      New.replace(Edits[K].Offset - RegionBegin, Edits[K].Length,
                  Edits[K].Text);
    std::vector<llvm::StringRef> NewLines = splitLines(New);
    unsigned CtxBegin = First > Context ? First - Context : 0;
    unsigned CtxEnd = std::min(NLines ? NLines - 1 : 0, Last + Context);
    unsigned OldCount = CtxEnd - CtxBegin + 1;
    unsigned NewCount = (First - CtxBegin) + NewLines.size() + (CtxEnd - Last);
    Out << "@@ -" << CtxBegin + 1 << "," << OldCount << " +"
        << long(CtxBegin + 1) + Delta << "," << NewCount << " @@\n";
    for (unsigned L = CtxBegin; L < First; ++L)
      diffLine(Out, ' ', lineText(Code, Starts, L));
    for (unsigned L = First; L <= Last; ++L)
      diffLine(Out, '-', lineText(Code, Starts, L));
    for (llvm::StringRef L : NewLines)
      diffLine(Out, '+', L);
    for (unsigned L = Last + 1; L <= CtxEnd && L < NLines; ++L)
      diffLine(Out, ' ', lineText(Code, Starts, L));
    Delta += long(NewLines.size()) - long(Last - First + 1);
    I = J;
  }
}

// Writes Text over Path (SafeIO.h: atomically, keeping mode and owner; a
// file with several hard links in place; never through a symbolic link).
bool writeFixed(const std::string &Path, llvm::StringRef Text,
                std::string &Error, llvm::raw_ostream &Err) {
  llvm::sys::fs::file_status St;
  if (std::error_code EC = llvm::sys::fs::status(Path, St)) {
    Error = EC.message();
    return false;
  }
  // Read-only for everyone (even when we could write it anyway, as root):
  // the user said not to change it.
  if ((St.permissions() & llvm::sys::fs::all_write) == 0 ||
      llvm::sys::fs::access(Path, llvm::sys::fs::AccessMode::Write)) {
    Error = "the file is not writable";
    return false;
  }
  WriteNote Note;
  if (!writeOutputFile(Path, Text.str(), Error, &Note))
    return false;
  if (Note.HardLinks > 1)
    Err << "tether: note: '" << Path << "' has " << Note.HardLinks
        << " hard links: rewritten in place, so every link sees the fix-its\n";
  return true;
}

std::string shownPath(const std::string &File, const std::string &Root) {
  if (!Root.empty()) {
    llvm::StringRef F(File);
    std::string Prefix = Root;
    if (!Prefix.empty() && Prefix.back() != '/')
      Prefix += '/';
    if (F.starts_with(Prefix))
      return F.drop_front(Prefix.size()).str();
  }
  return llvm::StringRef(File).ltrim('/').str();
}

} // namespace

FixSummary applyFixes(const std::vector<Finding> &Findings,
                      const FixOptions &Opts, llvm::raw_ostream &Out,
                      llvm::raw_ostream &Err) {
  FixSummary Sum;
  // File -> the findings' edits in it.
  std::map<std::string, std::vector<std::pair<const FixIt *, size_t>>> ByFile;
  for (size_t I = 0; I < Findings.size(); ++I)
    for (const FixIt &X : Findings[I].Fixes)
      if (X.Where.valid())
        ByFile[X.Where.File].push_back({&X, I});

  for (auto &[File, Fixes] : ByFile) {
    if (Opts.Allowed && !Opts.Allowed(File)) {
      Err << "tether: not applying fix-its to '" << File
          << "': it is neither an analysed source nor a header selected by "
             "the header filter\n";
      Sum.Refused += Fixes.size();
      continue;
    }
    auto Buf = llvm::MemoryBuffer::getFile(File, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
    if (!Buf) {
      Err << "tether: error: cannot apply fix-its to '" << File
          << "': " << Buf.getError().message() << "\n";
      Sum.Refused += Fixes.size();
      Sum.Error = true;
      continue;
    }
    llvm::StringRef Code = (*Buf)->getBuffer();
    std::vector<unsigned> Starts = lineStarts(Code);

    // Locate every edit; refuse those whose lines changed since the
    // analysis.
    std::vector<Edit> Edits;
    std::set<size_t> Dropped; // findings none of whose edits are applied here
    for (const auto &[X, FIdx] : Fixes) {
      const SourcePoint &W = X->Where;
      unsigned EndLine = W.EndLine ? W.EndLine : W.Line;
      unsigned EndCol = W.EndLine ? W.EndColumn : W.Column;
      bool Ok = W.Line >= 1 && W.Line <= Starts.size() && EndLine >= W.Line &&
                EndLine <= Starts.size() && W.Column >= 1 && EndCol >= 1;
      Edit E;
      if (Ok) {
        E.Offset = Starts[W.Line - 1] + W.Column - 1;
        unsigned End = Starts[EndLine - 1] + EndCol - 1;
        llvm::StringRef Current =
            lineText(Code, Starts, W.Line - 1).rtrim("\r\n");
        Ok = End >= E.Offset && End <= Code.size() &&
             Current == llvm::StringRef(W.LineText).rtrim("\r\n");
        E.Length = End - E.Offset;
      }
      if (!Ok) {
        Err << "tether: warning: not applying the fix-it at " << File << ":"
            << W.Line << ":" << W.Column << " ["
            << Findings[FIdx].CheckId
            << "]: the file changed since it was analysed\n";
        ++Sum.Refused;
        Dropped.insert(FIdx);
        continue;
      }
      E.Text = X->Replacement;
      E.Finding = FIdx;
      E.Line = W.Line;
      E.Column = W.Column;
      Edits.push_back(std::move(E));
    }
    std::stable_sort(Edits.begin(), Edits.end(),
                     [](const Edit &A, const Edit &B) {
                       return std::tie(A.Offset, A.Length) <
                              std::tie(B.Offset, B.Length);
                     });
    // Conflicts: overlapping edits that differ.
    for (size_t I = 0; I < Edits.size(); ++I)
      for (size_t J = I + 1; J < Edits.size(); ++J) {
        if (Edits[J].Offset > Edits[I].Offset + Edits[I].Length)
          break;
        if (!conflict(Edits[I], Edits[J]))
          continue;
        Err << "tether: warning: conflicting fix-its in " << File << " at "
            << Edits[I].Line << ":" << Edits[I].Column << " ["
            << Findings[Edits[I].Finding].CheckId << "] and "
            << Edits[J].Line << ":" << Edits[J].Column << " ["
            << Findings[Edits[J].Finding].CheckId
            << "]; neither is applied\n";
        Dropped.insert(Edits[I].Finding);
        Dropped.insert(Edits[J].Finding);
      }
    // Keep the edits of findings applied whole; identical edits once.
    std::vector<Edit> Kept;
    for (Edit &E : Edits) {
      if (Dropped.count(E.Finding)) {
        ++Sum.Refused;
        continue;
      }
      if (!Kept.empty() && Kept.back().sameAs(E))
        continue;
      Kept.push_back(std::move(E));
    }
    if (Kept.empty())
      continue;
    clang::tooling::Replacements Reps;
    std::vector<Edit> Used;
    for (const Edit &E : Kept) {
      if (llvm::Error Error = Reps.add(clang::tooling::Replacement(
              File, E.Offset, E.Length, E.Text))) {
        Err << "tether: warning: not applying the fix-it at " << File << ":"
            << E.Line << ":" << E.Column << ": "
            << llvm::toString(std::move(Error)) << "\n";
        ++Sum.Refused;
        continue;
      }
      Used.push_back(E);
    }
    llvm::Expected<std::string> NewCode =
        clang::tooling::applyAllReplacements(Code, Reps);
    if (!NewCode) {
      Err << "tether: error: cannot apply fix-its to '" << File
          << "': " << llvm::toString(NewCode.takeError()) << "\n";
      Sum.Refused += Used.size();
      Sum.Error = true;
      continue;
    }
    if (*NewCode == Code)
      continue;
    if (Opts.DryRun) {
      writeDiff(Out, shownPath(File, Opts.DisplayRoot), Code, Used);
    } else {
      std::string Error;
      if (!writeFixed(File, *NewCode, Error, Err)) {
        Err << "tether: error: cannot apply fix-its to '" << File
            << "': " << Error << "\n";
        Sum.Refused += Used.size();
        Sum.Error = true;
        continue;
      }
    }
    Sum.Applied += Used.size();
    ++Sum.Files;
  }
  return Sum;
}

} // namespace tether
