// thread-unbounded-spawn: a thread is started for every iteration of a loop
// whose trip count depends on input (a container parameter or member, a
// count from a parameter, a stream, accept(), a queue or channel receive)
// and nothing limits how many run at once: no semaphore or counter with a
// wait, no join in the loop, no pool. A thread per connection or request.
// See docs/checks/thread-unbounded-spawn.md.
#include "core/Check.h"
#include "ASTHelpers.h"
#include "ChannelFlow.h"
#include "CountOrigin.h"
#include "LockState.h"
#include "ModelMatch.h"
#include "SpawnLoops.h"

#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"

#include <functional>
#include <set>

using namespace clang;

namespace tether {
namespace {

class ThreadUnboundedSpawnCheck : public Check {
public:
  const CheckInfo &info() const override {
    static const CheckInfo Info{
        "thread-unbounded-spawn",
        "A thread is started for every iteration of an input-driven loop "
        "with nothing bounding how many run at once.",
        "One thread per request, connection, line or element: the number of "
        "threads grows with the input until the process runs out of memory "
        "or thread ids. Submit the work to a thread pool, acquire a "
        "std::counting_semaphore before each spawn (released when the "
        "thread ends), or join the threads in batches inside the loop.",
        Severity::Warning,
        {{"lightweight_types", OptionType::Globs, "",
          "spawn types (globs) cheap enough to start one per item, besides "
          "the models' lightweight spawns (fibers)"},
         {"report_fork_join", OptionType::Bool, "true",
          "report fork-join loops (threads joined after the loop) when "
          "their count comes from input; false never reports them"}}};
    return Info;
  }

  void checkFunction(FunctionContext &Ctx) override {
    const FunctionDecl *FD = Ctx.function();
    if (!FD || !FD->getBody() || FD->isDependentContext())
      return;
    SpawnLoops SL(Ctx);
    if (SL.spawns().empty())
      return;
    NameGlobs Light =
        globsOption(Ctx.tu().Options, info().Id, "lightweight_types");
    bool ReportForkJoin =
        boolOption(Ctx.tu().Options, info().Id, "report_fork_join");
    std::set<const Stmt *> Reported;
    for (const Spawn *SP : SL.spawns()) {
      const Spawn &S = *SP;
      // Filling the existing slots of a pre-sized container (a fixed-size
      // pool's `threads_[i] = std::thread(…)`) starts at most its size.
      if (S.IsPoolTask || !S.Site.Model || S.IntoSlot ||
          S.Site.Model->Lightweight || Light.matches(S.Site.Model->Type))
        continue;
      for (const Stmt *L : S.Loops) {
        const Expr *Why = nullptr;
        if (!SL.outlivesIteration(S, L, &Why))
          break;
        if (SL.joinedSomewhereIn(S, L) || bounded(Ctx, L, 0))
          break;
        if (LoopOrigin Origin = Ctx.tu().countOrigins().loop(L);
            Origin.Kind == CountOrigin::Input) {
          const LoopOrigin *In = &Origin;
          // A number of workers started in a constructor, or kept in a
          // member or the caller's container, is the size of a worker pool,
          // not a thread per input item.
          // So is a count of identical workers that all run the same code
          // (they share a queue): a thread per item gets the item — the
          // counter or something declared in the loop.
          // And a count of workers that split the data among themselves,
          // each taking every n-th item (chunking by the count).
          if (In->IsCount &&
              (isa<CXXConstructorDecl>(FD) ||
               partitionsByCount(dyn_cast<ForStmt>(L), threadCode(S)) ||
               (S.Storage && (S.Storage->ThisBased ||
                             isa_and_nonnull<ParmVarDecl>(S.StorageDecl))) ||
               !usesIterationData(SL, S, L)))
            break;
          // Fork-join over a container or a count: the threads go into a
          // local container that this function joins after the loop. Where
          // the count comes from decides (CountOrigin follows a parameter
          // to its callers); report_fork_join: false keeps them all quiet.
          if (!In->ReadLoop && !ReportForkJoin && S.StorageDecl &&
              isa<VarDecl>(S.StorageDecl) && !isa<ParmVarDecl>(S.StorageDecl) &&
              cast<VarDecl>(S.StorageDecl)->hasLocalStorage() &&
              (S.DestructorJoins || SL.joinedAfter(S, L)))
            break;
          if (Reported.insert(S.Site.Expr).second)
            report(Ctx, S, L, *In, Why);
          break;
        }
      }
    }
  }

private:
  // The code the spawned thread runs: the lambda written in place (or held
  // in a local), or the body of the function it calls.
  static const Stmt *threadCode(const Spawn &S) {
    if (const LambdaExpr *L = lambdaOf(S.Site.Callable))
      return L->getBody();
    if (const FunctionDecl *F = spawnBody(S.Site))
      return F->getBody();
    return nullptr;
  }

  // Does the spawn (callable, arguments, lambda body) refer to a variable
  // declared in Loop (its counter, a body variable)?
  static bool usesIterationData(const SpawnLoops &SL, const Spawn &S,
                                const Stmt *Loop) {
    std::function<bool(const Stmt *)> Walk = [&](const Stmt *X) -> bool {
      if (!X)
        return false;
      if (const auto *DR = dyn_cast<DeclRefExpr>(X))
        if (SL.declaredIn(DR->getDecl(), Loop))
          return true;
      if (const auto *L = dyn_cast<LambdaExpr>(X)) {
        for (const LambdaCapture &C : L->captures())
          if (C.capturesVariable() && SL.declaredIn(C.getCapturedVar(), Loop))
            return true;
        return Walk(L->getBody());
      }
      for (const Stmt *C : X->children())
        if (Walk(C))
          return true;
      return false;
    };
    return Walk(S.Site.Expr);
  }

  // --- bounds -------------------------------------------------------------

  // A wait in the loop body: semaphore acquire, condition-variable or latch
  // wait, a join or future wait of any thread, or a method called
  // acquire*/wait* on the project's own limiter. Calls into functions of
  // this TU are followed two levels deep.
  static bool isWait(FunctionContext &Ctx, const CallExpr *C, int Depth) {
    if (auto Op = matchBlockingOp(C, Ctx.tu().Models)) {
      StringRef W = Op->What;
      if (W == "semacquire" || W == "cond wait" || W == "latch wait" ||
          W == "thread join" || W == "future wait")
        return true;
    }
    // A project's own semaphore, gate or handle: the wait convention.
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(C))
      if (followsConvention(MC->getMethodDecl(), ModelSet::Convention::Wait,
                            Ctx.tu().Models))
        return true;
    const FunctionDecl *Def = nullptr;
    if (Depth < 2 && C->getDirectCallee() &&
        C->getDirectCallee()->hasBody(Def) && Def != Ctx.function()) {
      if (inSystemHeader(Def))
        return false;
      return anyNode(Def->getBody(), [&](const Stmt *S) {
        const auto *Inner = dyn_cast<CallExpr>(S);
        return Inner && isWait(Ctx, Inner, Depth + 1);
      });
    }
    return false;
  }

  static bool exits(const Stmt *S) {
    return anyNode(S, [](const Stmt *X) {
      return isa<ContinueStmt, BreakStmt, ReturnStmt, CXXThrowExpr>(X);
    });
  }

  // A reference to an atomic, or to a variable or member that this
  // function counts up or down (also inside the threads it starts).
  static bool isCounter(FunctionContext &Ctx, const Stmt *S) {
    const ValueDecl *D = nullptr;
    if (const auto *DR = dyn_cast<DeclRefExpr>(S))
      D = DR->getDecl();
    else if (const auto *ME = dyn_cast<MemberExpr>(S))
      D = ME->getMemberDecl();
    if (!D || !isa<VarDecl, FieldDecl>(D))
      return false;
    if (const CXXRecordDecl *RD = D->getType()->getAsCXXRecordDecl())
      if (Ctx.tu().Models.isAtomicType(modelName(RD)))
        return true;
    auto Names = [&](const Expr *E) {
      if (!E)
        return false;
      E = E->IgnoreParenImpCasts();
      if (const auto *DR = dyn_cast<DeclRefExpr>(E))
        return DR->getDecl() == D;
      if (const auto *ME = dyn_cast<MemberExpr>(E))
        return ME->getMemberDecl() == D;
      return false;
    };
    std::function<bool(const Stmt *)> Walk = [&](const Stmt *X) -> bool {
      if (!X)
        return false;
      if (const auto *U = dyn_cast<UnaryOperator>(X);
          U && U->isIncrementDecrementOp() && Names(U->getSubExpr()))
        return true;
      if (const auto *B = dyn_cast<CompoundAssignOperator>(X);
          B && Names(B->getLHS()))
        return true;
      for (const Stmt *C : X->children())
        if (Walk(C))
          return true;
      return false;
    };
    return Walk(Ctx.function()->getBody());
  }

  bool bounded(FunctionContext &Ctx, const Stmt *Loop, int) const {
    const Stmt *Body = loopBody(Loop);
    bool Found = anyNode(Body, [&](const Stmt *S) {
      if (const auto *C = dyn_cast<CallExpr>(S))
        return isWait(Ctx, C, 0);
      // Admission control: `if (active_ >= max_) { reject(); continue; }`
      // where active_ is a counter (atomic, or counted up and down in this
      // function).
      if (const auto *If = dyn_cast<IfStmt>(S))
        if (If->getCond() && exits(If->getThen()) &&
            anyNode(If->getCond(), [&](const Stmt *X) {
              const auto *E = dyn_cast<Expr>(X);
              return E && isRelationalComparison(E) && anyNode(E, [&](const Stmt *Y) {
                       return isCounter(Ctx, Y);
                     });
            }))
          return true;
      return false;
    });
    if (Found)
      return true;
    // `while (active_ < limit_)`-style loop conditions bound it too when
    // the compared value is not the input itself; handled by inputSource
    // (a relational condition against a constant is a constant bound).
    return false;
  }

  void report(FunctionContext &Ctx, const Spawn &S, const Stmt *Loop,
              const LoopOrigin &In, const Expr *Why) {
    std::string Msg = "a thread is started for every iteration of a loop "
                      "driven by input (" +
                      In.What +
                      ") and nothing bounds how many run at once; " +
                      (In.ReadLoop
                           ? "hand the items to a fixed-size pool or acquire "
                             "a semaphore before each spawn"
                           : "hand the items to a fixed-size pool, acquire a "
                             "semaphore before each spawn, or split them "
                             "into one chunk per hardware thread");
    DiagBuilder D = Ctx.report(info(), S.Site.Expr->getBeginLoc(), Msg,
                               S.Site.Expr);
    D.note(Loop->getBeginLoc(), "loop whose trip count depends on input");
    if (Why && Why != S.Site.Expr) {
      if (S.Fate == HandleFate::Detached)
        D.note(Why->getExprLoc(), "the thread is detached here");
      else if (S.Storage)
        D.note(Why->getExprLoc(),
               "threads accumulate in '" + S.Storage->describe() +
                   "' until after the loop");
    } else if (S.Fate == HandleFate::InContainer && S.Storage) {
      D.note(S.Site.Expr->getBeginLoc(),
             "threads accumulate in '" + S.Storage->describe() +
                 "' until after the loop");
    }
  }
};

} // namespace

std::unique_ptr<Check> createThreadUnboundedSpawnCheck() {
  return std::make_unique<ThreadUnboundedSpawnCheck>();
}

} // namespace tether
