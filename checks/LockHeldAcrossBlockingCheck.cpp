// lock-held-across-blocking: a mutex is held across an operation that blocks
// the thread (channel receive, send on a bounded channel, join, future get,
// sleep, a wait on another condition variable, blocking I/O, or a call to a
// function of the same TU that does one of these).
// See docs/checks/lock-held-across-blocking.md.
#include "core/Check.h"
#include "ASTHelpers.h"
#include "LockState.h"
#include "ModelMatch.h"

#include "clang/AST/ExprCXX.h"
#include "clang/Basic/SourceManager.h"

#include <map>
#include <set>

using namespace clang;

namespace tether {
namespace {

struct CalleeBlock {
  const Expr *Op = nullptr;
  std::string What;
};

class LockHeldAcrossBlockingCheck : public Check {
public:
  const CheckInfo &info() const override {
    static const CheckInfo Info{
        "lock-held-across-blocking",
        "A mutex is held across a blocking operation.",
        "While a thread blocks on a channel, a join, a future, a sleep or "
        "another condition variable with a mutex held, every thread that "
        "needs the mutex stops too; if the operation waits for one of them "
        "the program deadlocks. Release the mutex before blocking (end the "
        "guard's scope or call unlock()), or wait on the condition variable "
        "that belongs to the mutex.",
        Severity::Warning};
    return Info;
  }

  void checkFunction(FunctionContext &Ctx) override {
    const LockState &LS = Ctx.lockState();
    if (!LS.usesLocks())
      return;
    const ModelSet &Models = Ctx.tu().Models;
    std::vector<const CallExpr *> Calls;
    collectCalls(Ctx.function()->getBody(), Calls);
    // Futures polled with a timed wait (`wait_for(0s) == ready`) before
    // get(): the get() after the poll does not block.
    std::vector<std::pair<ObjectKey, const CallExpr *>> Polled;
    for (const CallExpr *Call : Calls)
      if (auto S = callShape(Call); S && S->IsMember && S->Object)
        if (const CXXRecordDecl *RD = designatedRecord(
                S->Object->IgnoreParenImpCasts()->getType()))
          if (const FutureModel *F = Models.futureForType(modelName(RD)))
            if (llvm::is_contained(F->TimedWait, S->Name))
              if (auto K = LS.resolver().keyOf(S->Object))
                Polled.push_back({*K, Call});
    const SourceManager &SM = Ctx.ast().getSourceManager();
    auto PolledBefore = [&](const BlockingOp &Op) {
      if (!Op.Object)
        return false;
      auto K = LS.resolver().keyOf(Op.Object);
      if (!K)
        return false;
      for (const auto &[PK, PC] : Polled)
        if (PK == *K && SM.isBeforeInTranslationUnit(PC->getBeginLoc(),
                                                     Op.Call->getBeginLoc()))
          return true;
      return false;
    };
    for (const CallExpr *Call : Calls) {
      llvm::ArrayRef<HeldLock> HeldHere = LS.heldAt(Call);
      if (HeldHere.empty())
        continue;
      llvm::SmallVector<HeldLock, 2> Held(HeldHere.begin(), HeldHere.end());
      std::optional<BlockingOp> Op = matchBlockingOp(Call, Models);
      std::optional<CalleeBlock> Via;
      const FunctionDecl *Callee = nullptr;
      if (Op) {
        if (PolledBefore(*Op))
          continue;
        LS.removeReleased(*Op, Held);
      } else {
        const FunctionDecl *Def = nullptr;
        if (Call->getDirectCallee() && Call->getDirectCallee()->hasBody(Def) &&
            Def != Ctx.function() && !inSystemHeader(Def)) {
          Via = blocks(Def, Models, 0);
          Callee = Def;
        }
        if (!Via)
          continue;
      }
      if (Held.empty())
        continue;
      // The lock taken first is the one to release.
      llvm::sort(Held,
                       [&](const HeldLock &A, const HeldLock &B) {
                         return SM.isBeforeInTranslationUnit(
                             A.Site->getBeginLoc(), B.Site->getBeginLoc());
                       });
      const HeldLock &L = Held.front();
      std::string Msg;
      if (Op)
        Msg = "mutex " + L.describe() + " is held across a blocking " +
              Op->What;
      else
        Msg = "mutex " + L.describe() + " is held across a call to '" +
              Callee->getNameAsString() + "', which blocks (" + Via->What +
              ")";
      if (Held.size() > 1)
        Msg += " (" + std::to_string(Held.size() - 1) +
               " more mutex" + (Held.size() > 2 ? "es" : "") + " held)";
      SourceLocation Loc = Call->getExprLoc();
      if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call))
        if (MC->getImplicitObjectArgument())
          Loc = MC->getBeginLoc();
      DiagBuilder D = Ctx.report(info(), Loc, Msg, Call);
      D.range(Call->getSourceRange());
      D.note(L.Site->getBeginLoc(), L.Guard ? "mutex locked here (held until "
                                              "the guard's scope ends)"
                                            : "mutex locked here");
      if (Via)
        D.note(Via->Op->getBeginLoc(), "blocks here (" + Via->What + ")");
      D.note(Loc, "still held here");
    }
  }

private:
  static void collectCalls(const Stmt *S, std::vector<const CallExpr *> &Out) {
    if (!S || isa<LambdaExpr>(S))
      return;
    if (const auto *C = dyn_cast<CallExpr>(S))
      Out.push_back(C);
    for (const Stmt *Ch : S->children())
      collectCalls(Ch, Out);
  }

  // The calls a function makes on every path through it: not under a
  // condition, in a loop, a switch, a `?:`, `&&`/`||` or a catch handler.
  static void collectUnconditionalCalls(const Stmt *S,
                                        std::vector<const CallExpr *> &Out) {
    if (!S || isa<LambdaExpr, IfStmt, ForStmt, WhileStmt, DoStmt,
                  CXXForRangeStmt, SwitchStmt, ConditionalOperator,
                  BinaryConditionalOperator, CXXCatchStmt>(S))
      return;
    if (const auto *BO = dyn_cast<BinaryOperator>(S); BO && BO->isLogicalOp()) {
      collectUnconditionalCalls(BO->getLHS(), Out);
      return;
    }
    if (const auto *C = dyn_cast<CallExpr>(S))
      Out.push_back(C);
    for (const Stmt *Ch : S->children())
      collectUnconditionalCalls(Ch, Out);
  }

  static bool releasesParameter(const BlockingOp &Op) {
    for (const Expr *A : Op.Released) {
      const Expr *S = stripWrappers(A);
      if (const auto *DR = dyn_cast<DeclRefExpr>(S))
        if (isa<ParmVarDecl>(DR->getDecl()))
          return true;
    }
    return false;
  }

  // Does FD block on every path through it, outside of lambdas it creates?
  // A helper that blocks only on some paths (`if (t.joinable()) t.join()`
  // over a list of retired threads, a wait behind a flag) is not taken as
  // blocking: whether that path runs under the caller's lock is beyond
  // what the analysis knows. A wait that releases a lock passed in by the
  // caller is the caller's business and does not count.
  std::optional<CalleeBlock> blocks(const FunctionDecl *FD,
                                    const ModelSet &Models, int Depth) {
    auto It = Cache.find(FD);
    if (It != Cache.end())
      return It->second;
    if (Depth > 3 || !InProgress.insert(FD).second)
      return std::nullopt;
    std::optional<CalleeBlock> Result;
    std::vector<const CallExpr *> Calls;
    collectUnconditionalCalls(FD->getBody(), Calls);
    for (const CallExpr *C : Calls) {
      if (auto Op = matchBlockingOp(C, Models)) {
        // Only waits for another thread make a callee "blocking": a retry
        // sleep or socket I/O deep in a helper is latency, not a deadlock,
        // and is reported only where it is written.
        if (releasesParameter(*Op) || Op->What == "sleep" ||
            Op->What == "IO wait")
          continue;
        Result = CalleeBlock{C, Op->What};
        break;
      }
      const FunctionDecl *Def = nullptr;
      if (C->getDirectCallee() && C->getDirectCallee()->hasBody(Def) &&
          !inSystemHeader(Def))
        if (auto Inner = blocks(Def, Models, Depth + 1)) {
          Result = Inner;
          break;
        }
    }
    InProgress.erase(FD);
    Cache[FD] = Result;
    return Result;
  }

  std::map<const FunctionDecl *, std::optional<CalleeBlock>> Cache;
  std::set<const FunctionDecl *> InProgress;
};

} // namespace

std::unique_ptr<Check> createLockHeldAcrossBlockingCheck() {
  return std::make_unique<LockHeldAcrossBlockingCheck>();
}

} // namespace tether
