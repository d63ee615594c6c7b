#include "Check.h"
#include "ASTHelpers.h"

#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/Path.h"

using namespace clang;

namespace tether {

std::string anchorText(const SourceManager &SM, const Stmt *S,
                       const LangOptions &LO) {
  if (!S)
    return {};
  CharSourceRange R = CharSourceRange::getTokenRange(S->getSourceRange());
  return Lexer::getSourceText(R, SM, LO).str();
}

DiagBuilder &DiagBuilder::note(SourceLocation Loc, llvm::StringRef Message) {
  F.Notes.push_back({toSourcePoint(SM, Loc), Message.str()});
  return *this;
}

DiagBuilder &DiagBuilder::note(const SourcePoint &Where,
                               llvm::StringRef Message) {
  F.Notes.push_back({Where, Message.str()});
  return *this;
}

DiagBuilder &DiagBuilder::note(SourceLocation Loc, llvm::StringRef Message,
                               unsigned Thread) {
  F.Notes.push_back({toSourcePoint(SM, Loc), Message.str(), Thread});
  return *this;
}

DiagBuilder &DiagBuilder::note(const SourcePoint &Where,
                               llvm::StringRef Message, unsigned Thread) {
  F.Notes.push_back({Where, Message.str(), Thread});
  return *this;
}

unsigned DiagBuilder::thread(llvm::StringRef Label) {
  auto It = llvm::find(F.Threads, Label);
  if (It != F.Threads.end())
    return unsigned(It - F.Threads.begin());
  F.Threads.push_back(Label.str());
  return unsigned(F.Threads.size() - 1);
}

std::string startedThreadLabel(const SourceManager &SM, SourceLocation Spawn) {
  SourcePoint P = toSourcePoint(SM, Spawn);
  if (!P.valid())
    return "a started thread";
  return "thread started at " + llvm::sys::path::filename(P.File).str() + ":" +
         std::to_string(P.Line);
}

std::string describeFunction(const FunctionDecl *FD) {
  const FunctionDecl *Named = enclosingNamedFunction(FD);
  if (!Named)
    return "a lambda";
  std::string Name = "'" + Named->getQualifiedNameAsString() + "'";
  return Named == FD ? Name : "a lambda in " + Name;
}

std::string runningThreadLabel(const FunctionDecl *FD) {
  return "thread running " + describeFunction(FD);
}

DiagBuilder &DiagBuilder::range(SourceRange R) {
  // End columns are exclusive: one past the last character of the range.
  SourceLocation EndLoc = Lexer::getLocForEndOfToken(
      SM.getFileLoc(R.getEnd()), 0, SM, LangOptions());
  SourcePoint End = toSourcePoint(SM, EndLoc);
  if (End.File == F.Where.File && End.Line == F.Where.Line) {
    F.Where.EndLine = End.Line;
    F.Where.EndColumn = End.Column;
  }
  return *this;
}

DiagBuilder &DiagBuilder::fixReplace(CharSourceRange R, llvm::StringRef Text) {
  // Only plain text of the user's own files: never inside a macro expansion
  // or a system header, never across files.
  if (R.isInvalid() || R.getBegin().isMacroID() || R.getEnd().isMacroID() ||
      SM.isInSystemHeader(R.getBegin()) ||
      SM.getFileID(R.getBegin()) != SM.getFileID(R.getEnd()))
    return *this;
  FixIt X;
  X.Where = toSourcePoint(SM, R.getBegin());
  SourcePoint End = toSourcePoint(SM, R.getEnd());
  X.Where.EndLine = End.Line;
  X.Where.EndColumn = End.Column;
  X.Replacement = Text.str();
  F.Fixes.push_back(std::move(X));
  return *this;
}

DiagBuilder &DiagBuilder::at(const SourcePoint &Where) {
  F.Where = Where;
  F.AnchorText = llvm::StringRef(Where.LineText).trim().str();
  return *this;
}

DiagBuilder &DiagBuilder::level(Severity S) {
  F.Level = S;
  return *this;
}

FunctionContext::FunctionContext(TUContext &TU, const FunctionDecl *FD,
                                 std::vector<Finding> &Out)
    : FunctionAnalyses(TU, FD), Out(Out) {}

DiagBuilder FunctionContext::report(const CheckInfo &Info, SourceLocation Loc,
                                    llvm::StringRef Message,
                                    const Stmt *Anchor) {
  const SourceManager &SM = TU.AST.getSourceManager();
  Finding F;
  F.CheckId = Info.Id;
  F.Level = Info.DefaultLevel;
  F.Where = toSourcePoint(SM, Loc);
  F.Message = Message.str();
  // A lambda is identified by the function it is written in.
  if (const FunctionDecl *Named = enclosingNamedFunction(FD))
    F.Function = Named->getQualifiedNameAsString();
  F.AnchorText = anchorText(SM, Anchor, TU.AST.getLangOpts());
  Out.push_back(std::move(F));
  return DiagBuilder(Out.back(), SM);
}

bool checkEnabled(llvm::StringRef Globs, llvm::StringRef Id) {
  bool Enabled = false;
  llvm::SmallVector<llvm::StringRef, 8> Parts;
  Globs.split(Parts, ',', -1, false);
  for (llvm::StringRef P : Parts) {
    P = P.trim();
    bool Neg = P.consume_front("-");
    if (P.empty())
      continue;
    auto Pat = llvm::GlobPattern::create(P);
    if (Pat && Pat->match(Id))
      Enabled = !Neg;
  }
  return Enabled;
}

} // namespace tether
