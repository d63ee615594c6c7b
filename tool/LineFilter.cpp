#include "LineFilter.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <algorithm>

namespace tether {

namespace {

// The path with symbolic links resolved when it exists (git prints the
// repository's real path; a checkout reached through a link must match).
std::string canonical(llvm::StringRef Path) {
  llvm::SmallString<256> Real;
  if (!llvm::sys::fs::real_path(Path, Real))
    return std::string(Real);
  llvm::SmallString<256> S(Path);
  llvm::sys::path::remove_dots(S, /*remove_dot_dot=*/true);
  return std::string(S);
}

// Does Path end with Suffix at a path-component boundary? ("a.cpp" matches
// "/src/a.cpp", not "/src/ba.cpp".)
bool endsWithComponents(llvm::StringRef Path, llvm::StringRef Suffix) {
  if (!Path.ends_with(Suffix))
    return false;
  if (Path.size() == Suffix.size())
    return true;
  return Path[Path.size() - Suffix.size() - 1] == '/';
}

// Runs git with Args; its stdout in Out. False (Why set) when it cannot run
// or exits non-zero; the first line git wrote on stderr is the reason.
bool runGit(llvm::ArrayRef<llvm::StringRef> Args, std::string &Out,
            std::string &Why) {
  auto Git = llvm::sys::findProgramByName("git");
  if (!Git) {
    Why = "git not found on PATH";
    return false;
  }
  llvm::SmallString<128> OutFile, ErrFile;
  if (llvm::sys::fs::createTemporaryFile("tether-git", "out", OutFile) ||
      llvm::sys::fs::createTemporaryFile("tether-git", "err", ErrFile)) {
    Why = "cannot create a temporary file for git's output";
    return false;
  }
  std::vector<llvm::StringRef> Argv{*Git};
  Argv.insert(Argv.end(), Args.begin(), Args.end());
  std::optional<llvm::StringRef> Redirects[] = {
      llvm::StringRef(""), llvm::StringRef(OutFile), llvm::StringRef(ErrFile)};
  std::string ExecErr;
  int Rc = llvm::sys::ExecuteAndWait(*Git, Argv, std::nullopt, Redirects,
                                     /*SecondsToWait=*/0, /*MemoryLimit=*/0,
                                     &ExecErr);
  auto Read = [](llvm::StringRef P) {
    auto B = llvm::MemoryBuffer::getFile(P);
    return B ? (*B)->getBuffer().str() : std::string();
  };
  Out = Read(OutFile);
  std::string Err = Read(ErrFile);
  llvm::sys::fs::remove(OutFile);
  llvm::sys::fs::remove(ErrFile);
  if (Rc != 0) {
    llvm::StringRef First = llvm::StringRef(Err).trim().split('\n').first;
    Why = !ExecErr.empty() ? ExecErr
          : !First.empty() ? First.str()
                           : "git exited with " + std::to_string(Rc);
    return false;
  }
  return true;
}

} // namespace

LineFilter::Entry &LineFilter::entry(std::string Name) {
  bool Abs = llvm::sys::path::is_absolute(Name);
  if (Abs)
    Name = canonical(Name);
  auto [It, New] = Index.try_emplace(Name, Files.size());
  if (New) {
    Files.push_back({Name, Abs, {}, false});
  }
  return Files[It->second];
}

void LineFilter::addFile(std::string Name) { entry(std::move(Name)).Whole = true; }

void LineFilter::addRange(std::string Name, unsigned First, unsigned Last) {
  entry(std::move(Name)).Ranges.push_back({First, Last});
}

bool LineFilter::contains(llvm::StringRef File, unsigned Line) const {
  std::string Canon = canonical(File);
  for (const Entry &E : Files) {
    bool Match = E.Absolute ? Canon == E.Name || File == E.Name
                            : endsWithComponents(Canon, E.Name) ||
                                  endsWithComponents(File, E.Name);
    if (!Match)
      continue;
    if (E.Whole)
      return true;
    for (auto [A, B] : E.Ranges)
      if (A <= Line && Line <= B)
        return true;
  }
  return false;
}

bool LineFilter::keeps(const Finding &F, bool Notes) const {
  if (contains(F.Where.File, F.Where.Line))
    return true;
  if (Notes)
    for (const Note &N : F.Notes)
      if (N.Where.valid() && contains(N.Where.File, N.Where.Line))
        return true;
  return false;
}

std::optional<LineFilter> LineFilter::fromJson(llvm::StringRef Text,
                                               std::string &Why) {
  llvm::Expected<llvm::json::Value> V = llvm::json::parse(Text);
  if (!V) {
    Why = "not JSON: " + llvm::toString(V.takeError());
    return std::nullopt;
  }
  const llvm::json::Array *Arr = V->getAsArray();
  if (!Arr) {
    Why = R"(expected an array like [{"name":"file.cpp","lines":[[1,3]]}])";
    return std::nullopt;
  }
  LineFilter LF;
  for (size_t I = 0; I < Arr->size(); ++I) {
    std::string At = "entry " + std::to_string(I + 1);
    const llvm::json::Object *O = (*Arr)[I].getAsObject();
    std::optional<llvm::StringRef> Name = O ? O->getString("name") : std::nullopt;
    if (!Name || Name->empty()) {
      Why = At + ": needs a \"name\" string";
      return std::nullopt;
    }
    const llvm::json::Value *Lines = O->get("lines");
    if (!Lines) {
      LF.addFile(Name->str());
      continue;
    }
    const llvm::json::Array *Ranges = Lines->getAsArray();
    if (!Ranges) {
      Why = At + ": \"lines\" must be an array of [first, last] pairs";
      return std::nullopt;
    }
    if (Ranges->empty())
      LF.entry(Name->str()); // listed, no line changed: nothing reported
    for (const llvm::json::Value &R : *Ranges) {
      const llvm::json::Array *P = R.getAsArray();
      std::optional<int64_t> A, B;
      if (P && P->size() == 2) {
        A = (*P)[0].getAsInteger();
        B = (*P)[1].getAsInteger();
      }
      if (!A || !B || *A < 1 || *B < *A || *B > UINT32_MAX) {
        Why = At + ": \"lines\" must be an array of [first, last] pairs "
                   "with 1 <= first <= last";
        return std::nullopt;
      }
      LF.addRange(Name->str(), static_cast<unsigned>(*A),
                  static_cast<unsigned>(*B));
    }
  }
  return LF;
}

LineFilter LineFilter::fromUnifiedDiff(llvm::StringRef Diff,
                                       llvm::StringRef Top) {
  LineFilter LF;
  std::string Current; // absolute path of the file the hunks belong to
  llvm::SmallVector<llvm::StringRef, 0> Lines;
  Diff.split(Lines, '\n');
  for (llvm::StringRef L : Lines) {
    if (L.consume_front("+++ ")) {
      Current.clear();
      L = L.rtrim("\r\t");
      if (L == "/dev/null" || !L.consume_front("b/"))
        continue; // deleted file
      llvm::SmallString<256> P(Top);
      llvm::sys::path::append(P, L);
      Current = std::string(P);
      LF.entry(Current); // a changed file with only deletions: listed, empty
      continue;
    }
    if (Current.empty() || !L.starts_with("@@ "))
      continue;
    // @@ -a[,b] +c[,d] @@
    size_t Plus = L.find(" +");
    if (Plus == llvm::StringRef::npos)
      continue;
    llvm::StringRef New = L.substr(Plus + 2);
    New = New.take_until([](char C) { return C == ' '; });
    auto [StartS, CountS] = New.split(',');
    unsigned Start = 0, Count = 1;
    if (StartS.getAsInteger(10, Start) ||
        (!CountS.empty() && CountS.getAsInteger(10, Count)))
      continue;
    if (Count == 0)
      continue; // lines removed only: nothing on the new side
    LF.addRange(Current, Start, Start + Count - 1);
  }
  return LF;
}

std::optional<LineFilter> LineFilter::fromGitDiff(llvm::StringRef Rev,
                                                  llvm::StringRef Dir,
                                                  std::string &Why) {
  std::string Top;
  if (!runGit({"-C", Dir, "rev-parse", "--show-toplevel"}, Top, Why)) {
    Why = "--diff-base needs a git repository: " + Why;
    return std::nullopt;
  }
  Top = llvm::StringRef(Top).trim().str();
  std::string Diff;
  // The working tree against REV (or, for "A...B", B against the merge
  // base): what is analysed is the working tree.
  if (!runGit({"-C", Top, "diff", "--no-color", "--no-ext-diff", "-U0",
               "--diff-filter=d", Rev, "--"},
              Diff, Why)) {
    Why = "git diff " + Rev.str() + " failed: " + Why;
    return std::nullopt;
  }
  LineFilter LF = fromUnifiedDiff(Diff, Top);
  if (!Rev.contains("...")) {
    std::string Untracked;
    if (runGit({"-C", Top, "ls-files", "--others", "--exclude-standard", "-z"},
               Untracked, Why)) {
      llvm::SmallVector<llvm::StringRef, 8> Names;
      llvm::StringRef(Untracked).split(Names, '\0', -1, false);
      for (llvm::StringRef N : Names) {
        llvm::SmallString<256> P(Top);
        llvm::sys::path::append(P, N);
        LF.addFile(std::string(P));
      }
    }
  }
  return LF;
}

size_t applyLineFilter(std::vector<Finding> &Findings, const LineFilter &LF,
                       bool Notes) {
  size_t Before = Findings.size();
  llvm::erase_if(Findings,
                 [&](const Finding &F) { return !LF.keeps(F, Notes); });
  return Before - Findings.size();
}

} // namespace tether
