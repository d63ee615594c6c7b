#include "ExportFixes.h"
#include "SafeIO.h"

#include "clang/Tooling/Core/Diagnostic.h"
#include "clang/Tooling/Core/Replacement.h"
#include "clang/Tooling/DiagnosticsYaml.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/YAMLTraits.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <optional>

namespace tether {

namespace {

// A file's text and the offsets its lines start at, read once.
struct FileText {
  bool Ok = false;
  std::string Code;
  std::vector<unsigned> Starts;
};

class Files {
public:
  const FileText &get(const std::string &Path) {
    auto [It, New] = Cache.try_emplace(Path);
    if (New) {
      std::string Error;
      It->second.Ok = readInputFile(Path, MaxSourceBytes, It->second.Code, Error);
      It->second.Starts.push_back(0);
      const std::string &C = It->second.Code;
      for (unsigned I = 0; I < C.size(); ++I)
        if (C[I] == '\n' && I + 1 < C.size())
          It->second.Starts.push_back(I + 1);
    }
    return It->second;
  }

private:
  static constexpr size_t MaxSourceBytes = size_t(1) << 30;
  std::map<std::string, FileText> Cache;
};

llvm::StringRef lineAt(const FileText &T, unsigned Line) {
  unsigned B = T.Starts[Line - 1];
  unsigned E = Line < T.Starts.size() ? T.Starts[Line] : unsigned(T.Code.size());
  return llvm::StringRef(T.Code).slice(B, E).rtrim("\r\n");
}

// The byte offset of a 1-based line and column, if the file has them.
std::optional<unsigned> offsetOf(const FileText &T, unsigned Line, unsigned Column) {
  if (!T.Ok || Line < 1 || Line > T.Starts.size() || Column < 1)
    return std::nullopt;
  unsigned Off = T.Starts[Line - 1] + Column - 1;
  if (Off > T.Code.size())
    return std::nullopt;
  return Off;
}

clang::tooling::DiagnosticMessage message(Files &Fs, const std::string &Text,
                                          const SourcePoint &P) {
  clang::tooling::DiagnosticMessage M(Text);
  M.FilePath = P.File;
  M.FileOffset = offsetOf(Fs.get(P.File), P.Line, P.Column).value_or(0);
  return M;
}

clang::tooling::Diagnostic::Level level(Severity S) {
  switch (S) {
  case Severity::Remark:
    return clang::tooling::Diagnostic::Remark;
  case Severity::Warning:
    return clang::tooling::Diagnostic::Warning;
  case Severity::Error:
    return clang::tooling::Diagnostic::Error;
  }
  return clang::tooling::Diagnostic::Warning;
}

} // namespace

void writeExportFixes(llvm::raw_ostream &OS, const std::vector<Finding> &Findings,
                      const std::string &BuildDirectory, llvm::raw_ostream &Err) {
  Files Fs;
  clang::tooling::TranslationUnitDiagnostics TUD;
  for (const Finding &F : Findings) {
    llvm::SmallVector<clang::tooling::DiagnosticMessage, 1> Notes;
    for (const Note &N : F.Notes)
      Notes.push_back(message(Fs, N.Message, N.Where));
    clang::tooling::Diagnostic D(F.CheckId, message(Fs, F.Message, F.Where), Notes,
                                 level(F.Level), BuildDirectory);
    for (const FixIt &X : F.Fixes) {
      const SourcePoint &W = X.Where;
      const FileText &T = Fs.get(W.File);
      unsigned EndLine = W.EndLine ? W.EndLine : W.Line;
      unsigned EndColumn = W.EndLine ? W.EndColumn : W.Column;
      std::optional<unsigned> Begin = offsetOf(T, W.Line, W.Column);
      std::optional<unsigned> End = offsetOf(T, EndLine, EndColumn);
      if (!Begin || !End || *End < *Begin ||
          lineAt(T, W.Line) != llvm::StringRef(W.LineText).rtrim("\r\n")) {
        Err << "tether: warning: not exporting the fix-it at " << W.File << ":" << W.Line
            << ":" << W.Column << " [" << F.CheckId
            << "]: the file changed since it was analysed\n";
        continue;
      }
      clang::tooling::Replacement R(W.File, *Begin, *End - *Begin, X.Replacement);
      if (llvm::Error E = D.Message.Fix[W.File].add(R)) {
        Err << "tether: warning: not exporting the fix-it at " << W.File << ":" << W.Line
            << ":" << W.Column << " [" << F.CheckId
            << "]: " << llvm::toString(std::move(E)) << "\n";
      }
    }
    TUD.Diagnostics.push_back(std::move(D));
  }
  llvm::yaml::Output YAML(OS);
  YAML << TUD;
  OS.flush();
}

} // namespace tether
