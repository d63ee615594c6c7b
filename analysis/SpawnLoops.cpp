#include "SpawnLoops.h"
#include "ASTHelpers.h"
#include "AnalysisContext.h"
#include "LockState.h"

#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"

using namespace clang;

namespace tether {

SpawnLoops::SpawnLoops(FunctionAnalyses &Ctx)
    : Ctx(Ctx), All(Ctx.spawns()), Body(All.body()), PM(All.parents()),
      Resolver(All.resolver()), Calls(All.calls()) {
  for (const Spawn &S : All.all())
    if (!S.Loops.empty())
      InLoops.push_back(&S);
}

SpawnLoops::~SpawnLoops() = default;

static bool within(const SourceManager &SM, SourceLocation L, SourceRange R) {
  if (L.isInvalid() || R.isInvalid())
    return false;
  L = SM.getExpansionLoc(L);
  SourceLocation B = SM.getExpansionLoc(R.getBegin());
  SourceLocation E = SM.getExpansionLoc(R.getEnd());
  return !SM.isBeforeInTranslationUnit(L, B) &&
         !SM.isBeforeInTranslationUnit(E, L);
}

bool SpawnLoops::declaredIn(const ValueDecl *D, const Stmt *Loop) const {
  if (const auto *B = dyn_cast_or_null<BindingDecl>(D))
    D = B->getDecomposedDecl();
  const auto *V = dyn_cast_or_null<VarDecl>(D);
  if (!V || !V->hasLocalStorage() || isa<ParmVarDecl>(V) || !Loop)
    return false;
  if (V->getDeclContext() != Ctx.function())
    return false;
  return within(Ctx.ast().getSourceManager(), V->getLocation(),
                Loop->getSourceRange());
}

bool SpawnLoops::unconditionalIn(const Stmt *S, const Stmt *LoopBody,
                                 const Stmt *Allowed) const {
  const Stmt *Child = S;
  for (const Stmt *A = PM->getParent(S); A; Child = A, A = PM->getParent(A)) {
    if (A == LoopBody)
      return true;
    if (A == Allowed)
      continue;
    if (const auto *If = dyn_cast<IfStmt>(A)) {
      if (Child == If->getCond())
        continue;
      // `if (t.joinable()) t.join();`
      bool Joinable = false;
      if (const auto *MC = dyn_cast_or_null<CXXMemberCallExpr>(
              If->getCond() ? If->getCond()->IgnoreParenImpCasts() : nullptr))
        Joinable = isHandleQuery(MC, Ctx.tu().Models);
      if (!Joinable)
        return false;
      continue;
    }
    if (isa<SwitchStmt, ConditionalOperator, BinaryConditionalOperator,
            CXXCatchStmt, LambdaExpr>(A) ||
        isLoop(A))
      return false;
    if (const auto *BO = dyn_cast<BinaryOperator>(A))
      if (BO->isLogicalOp() && Child == BO->getRHS())
        return false;
  }
  return false;
}

bool SpawnLoops::joinsStorage(const Spawn &S, const CallExpr *C,
                              const Stmt *Scope, const Stmt *&Allowed) const {
  const ModelSet &Models = Ctx.tu().Models;
  auto IsStorage = [&](const Expr *E) {
    auto K = E ? Resolver->keyOf(E) : std::nullopt;
    return K && *K == *S.Storage;
  };
  Allowed = nullptr;
  if (auto H = matchHandleOp(C, Models)) {
    if (H->Kind != HandleOpKind::Join)
      return false;
    const Expr *O = H->Object->IgnoreParenImpCasts();
    if (IsStorage(O))
      return true;
    if (const auto *DR = dyn_cast<DeclRefExpr>(O)) {
      // for (auto &t : workers) t.join();
      for (const Stmt *A = PM->getParent(C); A && A != Scope;
           A = PM->getParent(A))
        if (const auto *R = dyn_cast<CXXForRangeStmt>(A))
          if (R->getLoopVariable() == DR->getDecl() &&
              IsStorage(R->getRangeInit())) {
            Allowed = R;
            return true;
          }
      return false;
    }
    // workers[k].join(), workers.back().join()
    const Expr *Base = nullptr;
    if (const auto *Sub = dyn_cast<CXXOperatorCallExpr>(O);
        Sub && Sub->getOperator() == OO_Subscript)
      Base = Sub->getArg(0);
    else if (const auto *MC = dyn_cast<CXXMemberCallExpr>(O);
             MC && isElementAccess(MC->getMethodDecl(), Models))
      Base = MC->getImplicitObjectArgument();
    if (Base && IsStorage(Base)) {
      for (const Stmt *A = PM->getParent(C); A && A != Scope;
           A = PM->getParent(A))
        if (isLoop(A)) {
          Allowed = A;
          break;
        }
      return true;
    }
    return false;
  }
  if (const FunctionDecl *FD = C->getDirectCallee();
      FD && isForEachCall(C, Models) && C->getNumArgs() >= 2) {
    // std::for_each(workers.begin(), workers.end(), join)
    const Expr *A0 = C->getArg(0)->IgnoreParenImpCasts();
    if (const auto *CE = dyn_cast<CXXConstructExpr>(A0);
        CE && CE->getNumArgs() == 1)
      A0 = CE->getArg(0)->IgnoreParenImpCasts();
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(A0))
      if (followsConvention(MC->getMethodDecl(), ModelSet::Convention::Observe,
                            Models) &&
          IsStorage(MC->getImplicitObjectArgument()))
        return true;
  }
  return false;
}

bool SpawnLoops::joinedIn(const Spawn &S, const Stmt *Loop,
                          bool Unconditional) const {
  if (!S.Storage)
    return false;
  const Stmt *LB = loopBody(Loop);
  if (!LB)
    return false;
  const SourceManager &SM = Ctx.ast().getSourceManager();
  SourceLocation After = S.Site.Expr->getEndLoc();
  for (const CallExpr *C : Calls) {
    if (!within(SM, C->getBeginLoc(), LB->getSourceRange()) ||
        !SM.isBeforeInTranslationUnit(After, C->getBeginLoc()))
      continue;
    const Stmt *Allowed = nullptr;
    if (!joinsStorage(S, C, LB, Allowed))
      continue;
    if (!Unconditional || unconditionalIn(C, LB, Allowed))
      return true;
  }
  return false;
}

bool SpawnLoops::joinedAfter(const Spawn &S, const Stmt *Loop) const {
  if (!S.Storage)
    return false;
  const SourceManager &SM = Ctx.ast().getSourceManager();
  SourceLocation End = SM.getExpansionLoc(Loop->getEndLoc());
  for (const CallExpr *C : Calls) {
    if (!SM.isBeforeInTranslationUnit(End, SM.getExpansionLoc(C->getBeginLoc())))
      continue;
    const Stmt *Allowed = nullptr;
    if (joinsStorage(S, C, Body, Allowed))
      return true;
  }
  return false;
}

bool SpawnLoops::joinedSomewhereIn(const Spawn &S,
                                   const Stmt *Loop) const {
  return joinedIn(S, Loop, /*Unconditional=*/false);
}

bool SpawnLoops::passedAwayIn(const Spawn &S, const Stmt *Loop) const {
  if (!S.Storage)
    return false;
  const Stmt *LB = loopBody(Loop);
  if (!LB)
    return false;
  const SourceManager &SM = Ctx.ast().getSourceManager();
  SourceLocation After = S.Site.Expr->getEndLoc();
  for (const CallExpr *C : Calls) {
    if (C == S.FateSite || !within(SM, C->getBeginLoc(), LB->getSourceRange()) ||
        !SM.isBeforeInTranslationUnit(After, C->getBeginLoc()))
      continue;
    unsigned First = 0;
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(C))
      if (isa_and_nonnull<CXXMethodDecl>(Op->getDirectCallee()))
        First = 1;
    for (unsigned I = First; I < C->getNumArgs(); ++I) {
      const Expr *A = C->getArg(I)->IgnoreParenImpCasts();
      // Element access and iteration are not hand-overs.
      if (const auto *MC = dyn_cast<CXXMemberCallExpr>(A))
        if (followsConvention(MC->getMethodDecl(),
                              ModelSet::Convention::Observe, Ctx.tu().Models))
          continue;
      if (auto K = Resolver->keyOf(A); K && *K == *S.Storage)
        return true;
    }
  }
  return false;
}

bool SpawnLoops::outlivesIteration(const Spawn &S, const Stmt *Loop,
                                   const Expr **Why) const {
  const Expr *Dummy = nullptr;
  const Expr *&W = Why ? *Why : Dummy;
  W = S.FateSite ? S.FateSite : S.Site.Expr;
  const SourceManager &SM = Ctx.ast().getSourceManager();
  const Stmt *LB = loopBody(Loop);
  if (!LB)
    return false;
  SourceLocation After = S.Site.Expr->getEndLoc();
  auto LaterCallIn = [&](auto Pred) {
    for (const CallExpr *C : Calls)
      if (within(SM, C->getBeginLoc(), LB->getSourceRange()) &&
          SM.isBeforeInTranslationUnit(After, C->getBeginLoc()) && Pred(C))
        return true;
    return false;
  };
  // A wait for the threads' completion later in every iteration (a latch, a
  // barrier, a condition variable, a semaphore): they signal it, so they
  // are done with the iteration's variables. We cannot tell what the wait
  // waits for; when unsure we do not report.
  if (LaterCallIn([&](const CallExpr *C) {
        auto Op = matchBlockingOp(C, Ctx.tu().Models);
        return Op &&
               (Op->What == "latch wait" || Op->What == "cond wait" ||
                Op->What == "semacquire") &&
               unconditionalIn(C, LB, nullptr);
      }))
    return false;
  switch (S.Fate) {
  case HandleFate::Unknown:
  case HandleFate::Joined:
  case HandleFate::Returned:  // `return` also leaves the loop
  case HandleFate::Destroyed: // a joining destructor, or std::terminate
    return false;
  case HandleFate::Detached:
    return true;
  case HandleFate::NoHandle:
    // pthread_join in the same iteration.
    return !LaterCallIn([&](const CallExpr *C) {
      auto Op = matchBlockingOp(C, Ctx.tu().Models);
      return Op && Op->What == "thread join";
    });
  case HandleFate::Discarded: {
    // pool.wait() / pool.wait_for_tasks() later in the iteration: a method
    // of the pool model's `wait_all`.
    const auto *MC = dyn_cast<CXXMemberCallExpr>(S.Site.Expr);
    if (!MC || !S.Site.Model)
      return true;
    auto Pool = Resolver->keyOf(MC->getImplicitObjectArgument());
    return !LaterCallIn([&](const CallExpr *C) {
      const auto *W2 = dyn_cast<CXXMemberCallExpr>(C);
      if (!W2 || !isPoolWaitAll(W2, *S.Site.Model))
        return false;
      auto K = Resolver->keyOf(W2->getImplicitObjectArgument());
      return !Pool || (K && *K == *Pool);
    });
  }
  case HandleFate::Stored:
  case HandleFate::InContainer:
    break;
  }
  if (S.StorageDecl && isa<VarDecl>(S.StorageDecl) &&
      declaredIn(S.StorageDecl, LB)) {
    // The handle dies with the iteration.
    if (joinedIn(S, Loop, false) || passedAwayIn(S, Loop) || S.DestructorJoins)
      return false;
    return S.IsPoolTask;
  }
  return !joinedIn(S, Loop, true) && !passedAwayIn(S, Loop);
}

} // namespace tether
