// thread-leak (c), local handles: a handle whose destructor terminates when
// joinable (std::thread) kept in a local variable that some path from its
// start to the end of its scope does not join, detach or hand on (an early
// return, a break, an explicit throw, a call in a try block before the
// join). The path search is the shared HandlePaths analysis; this file
// words its answer.
#include "ThreadLeak.h"
#include "HandlePaths.h"

using namespace clang;

namespace tether {
namespace threadleak {
namespace {

// The note at the place the path leaves the handle's scope.
std::string exitNote(const UnusedExit &X, const std::string &Name,
                     const HandleWords &W) {
  switch (X.Kind) {
  case ExitKind::Return:
    return "returns here without " + W.Ending + " '" + Name + "'";
  case ExitKind::Break:
    return "leaves the loop here without " + W.Ending + " '" + Name + "'";
  case ExitKind::Jump:
    return "jumps here without " + W.Ending + " '" + Name + "'";
  case ExitKind::ScopeEnd:
    return "'" + Name + "' goes out of scope here without being " +
           W.Unended;
  case ExitKind::Throw:
    return "throws here without " + W.Ending + " '" + Name + "'";
  case ExitKind::ExceptionDestroys:
    return "an exception thrown here destroys '" + Name + "' while joinable";
  }
  return {};
}

} // namespace

void ThreadLeakCheck::checkLocalPaths(FunctionContext &Ctx, const Spawn &S) {
  const VarDecl *VD = S.Local;
  std::optional<UnusedExit> X =
      Ctx.handlePaths().firstUnusedExit(VD, S.Anchor);
  if (!X)
    return;
  std::string Name = VD->getNameAsString();
  const SpawnModel &M = *S.Site.Model;
  HandleWords W = wordsFor(M);
  std::string Msg = M.Type + " '" + Name + "' is " +
                    (X->UsedSomewhere ? "not " + W.Ended + " on every path"
                                      : "never " + W.Ended) +
                    "; its destructor " + W.Destroyed;
  const Stmt *Anchor = S.Anchor ? S.Anchor : S.Site.Expr;
  DiagBuilder D = Ctx.report(info(), S.Site.Expr->getBeginLoc(), Msg, Anchor);
  if (X->Via)
    D.note(X->Via->getBeginLoc(), "an exception thrown here skips the " +
                                      W.End + " of '" + Name + "'");
  D.note(X->Loc, exitNote(*X, Name, W));
}

} // namespace threadleak
} // namespace tether
