// thread-leak (d): a std::async future with the default or deferred launch
// policy, stored in a variable and never used again: the task may never
// run.
#include "ThreadLeak.h"
#include "HandlePaths.h"

using namespace clang;

namespace tether {
namespace threadleak {

// A std::async future that nothing ever waits on. With
// std::launch::async its destructor joins the task at the end of the
// scope (a deliberate "join at scope end" idiom as often as a mistake):
// not reported. With the default policy the implementation may defer the
// task until get()/wait(), and with std::launch::deferred it certainly
// does: a future that is never waited on means the task may never run.
void ThreadLeakCheck::checkFuture(FunctionContext &Ctx, const Spawn &S) {
  const VarDecl *VD = S.Local;
  if (!VD->getIdentifier() || VD->hasGlobalStorage())
    return;
  const auto *Call = dyn_cast<CallExpr>(S.Site.Expr);
  if (!Call || !S.Site.Callable)
    return;
  bool Deferred = false;
  for (const Expr *A : Call->arguments()) {
    if (A == S.Site.Callable)
      break;
    const auto *DR = dyn_cast<DeclRefExpr>(stripTemporaries(A));
    if (!DR || !DR->getDecl()->getIdentifier())
      return; // a computed policy (`async | deferred`, a variable)
    if (DR->getDecl()->getName() != "deferred")
      return; // std::launch::async: the destructor joins
    Deferred = true;
  }
  llvm::DenseSet<const Stmt *> Uses;
  HandlePaths::collectUses(Ctx.function()->getBody(), VD, Uses);
  if (!Uses.empty() || VD->hasAttr<UnusedAttr>())
    return;
  std::string Name = VD->getNameAsString();
  std::string Msg =
      "future '" + Name + "' of std::async is never waited on" +
      (Deferred ? std::string("; with std::launch::deferred the task never "
                              "runs")
                : std::string("; with the default launch policy the task "
                              "may be deferred and never run"));
  DiagBuilder D = Ctx.report(info(), VD->getLocation(), Msg, S.Anchor);
  D.note(S.Site.Expr->getBeginLoc(), "task started here");
}

} // namespace threadleak
} // namespace tether
