#include "SpawnLoops.h"
#include "AnalysisContext.h"
#include "LockState.h"

#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"

using namespace clang;

namespace tether {

namespace {

bool isLoop(const Stmt *S) {
  return isa<ForStmt, CXXForRangeStmt, WhileStmt, DoStmt>(S);
}

bool named(const FunctionDecl *FD, std::initializer_list<StringRef> Names) {
  if (!FD || !FD->getIdentifier())
    return false;
  for (StringRef N : Names)
    if (FD->getName() == N)
      return true;
  return false;
}

bool isStdMove(const Expr *E) {
  const auto *C = dyn_cast<CallExpr>(E);
  if (!C || C->getNumArgs() != 1)
    return false;
  const FunctionDecl *FD = C->getDirectCallee();
  return FD && FD->isInStdNamespace() && named(FD, {"move", "forward"});
}

// Nodes between a value and the place that uses it: the value "flows"
// through them unchanged.
bool isValueWrapper(const Stmt *P) {
  if (isa<ParenExpr, ImplicitCastExpr, MaterializeTemporaryExpr,
          CXXBindTemporaryExpr, ExprWithCleanups, CXXFunctionalCastExpr,
          CXXStaticCastExpr>(P))
    return true;
  if (const auto *CE = dyn_cast<CXXConstructExpr>(P))
    return CE->getNumArgs() == 1 && CE->getConstructor() &&
           CE->getConstructor()->isCopyOrMoveConstructor();
  if (const auto *E = dyn_cast<Expr>(P))
    return isStdMove(E);
  return false;
}

// Methods that put their argument into a container.
bool isInsertMethod(StringRef N) {
  return N == "push_back" || N == "push_front" || N == "emplace_back" ||
         N == "emplace_front" || N == "emplace" || N == "insert" ||
         N == "push" || N == "emplace_hint" || N == "try_emplace" ||
         N == "insert_or_assign";
}

bool isElementAccess(StringRef N) {
  return N == "back" || N == "front" || N == "at" || N == "operator[]";
}

} // namespace

SpawnLoops::SpawnLoops(FunctionAnalyses &Ctx)
    : Ctx(Ctx), Body(Ctx.function() ? Ctx.function()->getBody() : nullptr) {
  if (!Body)
    return;
  PM = std::make_unique<ParentMap>(const_cast<Stmt *>(Body));
  Resolver = std::make_unique<ObjectResolver>(Body);
  llvm::SmallVector<const Stmt *, 4> Loops;
  collect(Body, Loops);
  for (SpawnInLoop &S : Spawns)
    resolveFate(S);
}

SpawnLoops::~SpawnLoops() = default;

void SpawnLoops::collect(const Stmt *S,
                         llvm::SmallVectorImpl<const Stmt *> &Loops) {
  if (!S || isa<LambdaExpr>(S))
    return;
  if (const auto *E = dyn_cast<Expr>(S)) {
    if (E->isTypeDependent() || E->isValueDependent())
      return;
    if (const auto *C = dyn_cast<CallExpr>(E))
      Calls.push_back(C);
    if (!Loops.empty())
      if (auto Site = matchSpawn(E, Ctx.tu().Models)) {
        SpawnInLoop X;
        X.Site = *Site;
        X.Loops.assign(Loops.rbegin(), Loops.rend());
        Spawns.push_back(std::move(X));
      }
  }
  bool Loop = isLoop(S);
  if (Loop)
    Loops.push_back(S);
  for (const Stmt *Ch : S->children())
    collect(Ch, Loops);
  if (Loop)
    Loops.pop_back();
}

const Stmt *SpawnLoops::loopBody(const Stmt *Loop) {
  if (const auto *F = dyn_cast<ForStmt>(Loop))
    return F->getBody();
  if (const auto *R = dyn_cast<CXXForRangeStmt>(Loop))
    return R->getBody();
  if (const auto *W = dyn_cast<WhileStmt>(Loop))
    return W->getBody();
  if (const auto *D = dyn_cast<DoStmt>(Loop))
    return D->getBody();
  return nullptr;
}

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

void SpawnLoops::resolveFate(SpawnInLoop &S) {
  const SpawnModel *M = S.Site.Model;
  const ModelSet &Models = Ctx.tu().Models;
  const Expr *E = S.Site.Expr;
  if (M->Destruction == OnDestruction::Join ||
      M->Destruction == OnDestruction::RequestStopAndJoin)
    S.DestructorJoins = true;
  if (!M->Function.empty() && !M->Returns.empty())
    if (const FutureModel *F = Models.futureForType(M->Returns))
      S.DestructorJoins = F->BlocksOnDestruction;
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E)) {
    const CXXMethodDecl *MD = MC->getMethodDecl();
    std::string Name = MD ? MD->getNameAsString() : "";
    if (llvm::is_contained(M->Methods, Name)) {
      S.IsPoolTask = true;
      S.DestructorJoins = false; // a pool's future does not wait
    } else {
      // workers.emplace_back(callable)
      S.Fate = HandleFate::InContainer;
      S.FateSite = MC;
      S.Storage = Resolver->keyOf(MC->getImplicitObjectArgument());
      S.StorageDecl = S.Storage ? S.Storage->Root : nullptr;
      if (!S.Storage)
        S.Fate = HandleFate::Unknown;
      return;
    }
  } else if (!M->Function.empty() && M->Returns.empty()) {
    S.Fate = HandleFate::NoHandle; // pthread_create(&tid, ...)
    return;
  }

  const Stmt *Cur = E;
  const Stmt *P = PM->getParent(Cur);
  while (P && isValueWrapper(P)) {
    Cur = P;
    P = PM->getParent(Cur);
  }
  auto SameExpr = [&](const Expr *A) {
    if (!A)
      return false;
    const Stmt *X = A;
    while (X && X != Cur && isValueWrapper(X)) {
      auto Ch = X->children();
      if (Ch.empty())
        break;
      X = *Ch.begin();
    }
    return X == Cur || A == Cur;
  };
  if (!P || (!isa<Expr>(P) && !isa<DeclStmt>(P))) {
    // The value is discarded.
    if (S.IsPoolTask)
      S.Fate = HandleFate::Discarded;
    else if (S.DestructorJoins)
      S.Fate = HandleFate::Joined;
    S.FateSite = E;
    return;
  }
  if (const auto *DS = dyn_cast<DeclStmt>(P)) {
    for (const Decl *D : DS->decls())
      if (const auto *V = dyn_cast<VarDecl>(D))
        if (V->getInit() && SameExpr(V->getInit()) &&
            !V->getType()->isReferenceType()) {
          S.Fate = HandleFate::Stored;
          ObjectKey K;
          K.Root = V;
          S.Storage = K;
          S.StorageDecl = V;
          S.FateSite = E;
          followVariable(S, V);
          return;
        }
    return;
  }
  // `std::thread(f).detach()`: the object is the callee's base.
  if (const auto *ME = dyn_cast<MemberExpr>(P)) {
    const auto *MC = dyn_cast_or_null<CXXMemberCallExpr>(PM->getParent(ME));
    if (MC && MC->getCallee()->IgnoreParens() == ME)
      if (auto H = matchHandleOp(MC, Models)) {
        S.Fate = H->Kind == HandleOpKind::Detach ? HandleFate::Detached
                                                 : HandleFate::Joined;
        S.FateSite = MC;
      }
    return;
  }
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(P)) {
    if (SameExpr(MC->getImplicitObjectArgument())) {
      if (auto H = matchHandleOp(MC, Models)) {
        S.Fate = H->Kind == HandleOpKind::Detach ? HandleFate::Detached
                                                 : HandleFate::Joined;
        S.FateSite = MC;
      }
      return;
    }
    const CXXMethodDecl *MD = MC->getMethodDecl();
    if (MD && MD->getIdentifier() && isInsertMethod(MD->getName())) {
      S.Storage = Resolver->keyOf(MC->getImplicitObjectArgument());
      if (S.Storage) {
        S.Fate = HandleFate::InContainer;
        S.StorageDecl = S.Storage->Root;
        S.FateSite = MC;
      }
    }
    return;
  }
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(P)) {
    if (Op->getOperator() == OO_Equal && Op->getNumArgs() == 2 &&
        SameExpr(Op->getArg(1))) {
      const Expr *L = Op->getArg(0)->IgnoreParenImpCasts();
      bool Element = false;
      if (const auto *Sub = dyn_cast<CXXOperatorCallExpr>(L);
          Sub && Sub->getOperator() == OO_Subscript) {
        L = Sub->getArg(0);
        Element = true;
      } else if (const auto *AS = dyn_cast<ArraySubscriptExpr>(L)) {
        L = AS->getBase();
        Element = true;
      }
      S.Storage = Resolver->keyOf(L);
      if (S.Storage) {
        S.Fate = Element ? HandleFate::InContainer : HandleFate::Stored;
        S.IntoSlot = Element;
        S.StorageDecl = S.Storage->Root;
        S.FateSite = Op;
      }
    }
    return;
  }
}

void SpawnLoops::followVariable(SpawnInLoop &S, const VarDecl *V) {
  const SourceManager &SM = Ctx.ast().getSourceManager();
  const ModelSet &Models = Ctx.tu().Models;
  SourceLocation After = S.Site.Expr->getEndLoc();
  auto RefersToV = [&](const Expr *A) {
    const Expr *X = stripWrappers(A);
    const auto *DR = dyn_cast_or_null<DeclRefExpr>(X);
    return DR && DR->getDecl() == V;
  };
  for (const CallExpr *C : Calls) {
    if (!SM.isBeforeInTranslationUnit(After, C->getBeginLoc()))
      continue;
    if (auto H = matchHandleOp(C, Models)) {
      if (H->Kind == HandleOpKind::Detach && RefersToV(H->Object)) {
        S.Fate = HandleFate::Detached;
        S.FateSite = C;
        return;
      }
      continue;
    }
    unsigned First = 0;
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(C)) {
      if (Op->getOperator() == OO_Equal && Op->getNumArgs() == 2 &&
          RefersToV(Op->getArg(1)) &&
          isStdMove(Op->getArg(1)->IgnoreParenImpCasts())) {
        const Expr *L = Op->getArg(0)->IgnoreParenImpCasts();
        bool Element = false;
        if (const auto *Sub = dyn_cast<CXXOperatorCallExpr>(L);
            Sub && Sub->getOperator() == OO_Subscript) {
          L = Sub->getArg(0);
          Element = true;
        }
        if (auto K = Resolver->keyOf(L)) {
          S.Fate = Element ? HandleFate::InContainer : HandleFate::Stored;
          S.IntoSlot = Element;
          S.Storage = K;
          S.StorageDecl = K->Root;
          S.FateSite = C;
        } else {
          S.Fate = HandleFate::Unknown;
        }
        return;
      }
      if (isa_and_nonnull<CXXMethodDecl>(Op->getDirectCallee()))
        First = 1;
    }
    bool Passed = false;
    for (unsigned I = First; I < C->getNumArgs(); ++I)
      if (RefersToV(C->getArg(I)))
        Passed = true;
    if (!Passed)
      continue;
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(C)) {
      const CXXMethodDecl *MD = MC->getMethodDecl();
      if (MD && MD->getIdentifier() && isInsertMethod(MD->getName()))
        if (auto K = Resolver->keyOf(MC->getImplicitObjectArgument())) {
          S.Fate = HandleFate::InContainer;
          S.Storage = K;
          S.StorageDecl = K->Root;
          S.FateSite = C;
          return;
        }
    }
    // Handed to code we do not follow.
    S.Fate = HandleFate::Unknown;
    return;
  }
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
        Joinable = named(MC->getMethodDecl(), {"joinable", "valid"});
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

bool SpawnLoops::joinsStorage(const SpawnInLoop &S, const CallExpr *C,
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
             MC && MC->getMethodDecl() && MC->getMethodDecl()->getIdentifier() &&
             isElementAccess(MC->getMethodDecl()->getName()))
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
      FD && FD->isInStdNamespace() && named(FD, {"for_each"}) &&
      C->getNumArgs() >= 2) {
    // std::for_each(workers.begin(), workers.end(), join)
    const Expr *A0 = C->getArg(0)->IgnoreParenImpCasts();
    if (const auto *CE = dyn_cast<CXXConstructExpr>(A0);
        CE && CE->getNumArgs() == 1)
      A0 = CE->getArg(0)->IgnoreParenImpCasts();
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(A0))
      if (named(MC->getMethodDecl(), {"begin"}) &&
          IsStorage(MC->getImplicitObjectArgument()))
        return true;
  }
  return false;
}

bool SpawnLoops::joinedIn(const SpawnInLoop &S, const Stmt *Loop,
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

bool SpawnLoops::joinedAfter(const SpawnInLoop &S, const Stmt *Loop) const {
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

bool SpawnLoops::joinedSomewhereIn(const SpawnInLoop &S,
                                   const Stmt *Loop) const {
  return joinedIn(S, Loop, /*Unconditional=*/false);
}

bool SpawnLoops::passedAwayIn(const SpawnInLoop &S, const Stmt *Loop) const {
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
        if (named(MC->getMethodDecl(), {"begin", "end", "size", "empty"}))
          continue;
      if (auto K = Resolver->keyOf(A); K && *K == *S.Storage)
        return true;
    }
  }
  return false;
}

bool SpawnLoops::outlivesIteration(const SpawnInLoop &S, const Stmt *Loop,
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
    // pool.wait() / pool.wait_for_tasks() later in the iteration.
    const auto *MC = dyn_cast<CXXMemberCallExpr>(S.Site.Expr);
    auto Pool = MC ? Resolver->keyOf(MC->getImplicitObjectArgument())
                   : std::nullopt;
    return !LaterCallIn([&](const CallExpr *C) {
      const auto *W2 = dyn_cast<CXXMemberCallExpr>(C);
      if (!W2 || !W2->getMethodDecl() || !W2->getMethodDecl()->getIdentifier())
        return false;
      if (!W2->getMethodDecl()->getName().starts_with("wait"))
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
