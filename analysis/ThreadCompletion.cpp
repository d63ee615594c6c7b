#include "ThreadCompletion.h"
#include "LockState.h"
#include "ModelMatch.h"

#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace clang;

namespace tether {

namespace {

using DeclSet = llvm::SmallPtrSet<const ValueDecl *, 8>;

// The object an expression names: a variable, or a member of `this`.
const ValueDecl *objectDecl(const Expr *E) {
  if (!E)
    return nullptr;
  E = E->IgnoreParenImpCasts();
  if (const auto *DR = dyn_cast<DeclRefExpr>(E))
    return dyn_cast<VarDecl>(DR->getDecl());
  if (const auto *ME = dyn_cast<MemberExpr>(E))
    if (isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()))
      return dyn_cast<FieldDecl>(ME->getMemberDecl());
  return nullptr;
}

// Every object S reads or writes.
void collectObjects(const Stmt *S, DeclSet &Out) {
  if (!S)
    return;
  if (const auto *E = dyn_cast<Expr>(S))
    if (const ValueDecl *D = objectDecl(E))
      Out.insert(D);
  if (const auto *L = dyn_cast<LambdaExpr>(S)) {
    collectObjects(L->getBody(), Out);
    return;
  }
  for (const Stmt *C : S->children())
    collectObjects(C, Out);
}

// The mutex a lock guard variable locks (`std::unique_lock lk(m_)`).
const ValueDecl *guardMutex(const VarDecl *VD, const ModelSet &Models) {
  if (!VD || !VD->getInit())
    return nullptr;
  const CXXRecordDecl *RD = VD->getType()->getAsCXXRecordDecl();
  if (!RD || !Models.isLockGuardType(modelName(RD)))
    return nullptr;
  const auto *CE =
      dyn_cast<CXXConstructExpr>(VD->getInit()->IgnoreImplicit());
  if (!CE || CE->getNumArgs() == 0)
    return nullptr;
  return objectDecl(CE->getArg(0));
}

// The mutexes of the lock guards declared in S.
void collectGuardMutexes(const Stmt *S, const ModelSet &Models,
                         DeclSet &Out) {
  if (!S || isa<LambdaExpr>(S))
    return;
  if (const auto *DS = dyn_cast<DeclStmt>(S))
    for (const Decl *D : DS->decls())
      if (const ValueDecl *M = guardMutex(dyn_cast<VarDecl>(D), Models))
        Out.insert(M);
  for (const Stmt *C : S->children())
    collectGuardMutexes(C, Models, Out);
}

bool isExit(const Stmt *S) {
  if (const auto *CS = dyn_cast_or_null<CompoundStmt>(S))
    return CS->size() == 1 && isExit(CS->body_front());
  return isa_and_nonnull<BreakStmt, ReturnStmt>(S);
}

// The exits of a loop's body: `if (cond) break;` at any depth (not in
// nested loops, whose break is their own).
void collectExitConditions(const Stmt *S, DeclSet &Out) {
  if (!S || isa<LambdaExpr, ForStmt, WhileStmt, DoStmt, CXXForRangeStmt>(S))
    return;
  if (const auto *If = dyn_cast<IfStmt>(S))
    if (isExit(If->getThen()) || isExit(If->getElse()))
      collectObjects(If->getCond(), Out);
  for (const Stmt *C : S->children())
    collectExitConditions(C, Out);
}

// What the function waits for after After: the objects read by a blocking
// wait's predicate, or by a loop's condition or exits.
void collectWaited(const Stmt *S, const SourceManager &SM, SourceLocation After,
                   const ModelSet &Models, DeclSet &Out, DeclSet &Mutexes,
                   llvm::DenseMap<const ValueDecl *, const Stmt *> &WaitOf) {
  if (!S || isa<LambdaExpr>(S))
    return;
  bool Later = SM.isBeforeInTranslationUnit(After, S->getBeginLoc());
  DeclSet Here;
  if (const auto *Call = dyn_cast<CallExpr>(S); Call && Later) {
    if (auto Op = matchBlockingOp(Call, Models);
        Op && Op->What != "sleep" && Op->What != "IO wait") {
      for (const Expr *A : Call->arguments())
        if (const auto *L = dyn_cast<LambdaExpr>(stripTemporaries(A)))
          collectObjects(L->getBody(), Here);
      // The lock the wait releases and takes again to read its predicate.
      for (const Expr *R : Op->Released)
        if (const auto *V = dyn_cast_or_null<VarDecl>(objectDecl(R))) {
          if (const ValueDecl *M = guardMutex(V, Models))
            Mutexes.insert(M);
        } else if (const ValueDecl *M = objectDecl(R)) {
          Mutexes.insert(M);
        }
    }
  }
  const Expr *Cond = nullptr;
  const Stmt *LoopBody = nullptr;
  if (const auto *W = dyn_cast<WhileStmt>(S))
    Cond = W->getCond(), LoopBody = W->getBody();
  else if (const auto *D = dyn_cast<DoStmt>(S))
    Cond = D->getCond(), LoopBody = D->getBody();
  else if (const auto *F = dyn_cast<ForStmt>(S))
    Cond = F->getCond(), LoopBody = F->getBody();
  if (LoopBody && Later) {
    collectObjects(Cond, Here);
    collectExitConditions(LoopBody, Here);
    collectGuardMutexes(LoopBody, Models, Mutexes);
  }
  for (const ValueDecl *D : Here) {
    Out.insert(D);
    WaitOf.try_emplace(D, S);
  }
  for (const Stmt *C : S->children())
    collectWaited(C, SM, After, Models, Out, Mutexes, WaitOf);
}

// A write of one of Objects: an assignment, an increment or decrement, a
// compound assignment, or a call of a non-const member function (store,
// fetch_sub, count_down) on it.
const ValueDecl *writtenObject(const Expr *E, const DeclSet &Objects) {
  auto In = [&](const Expr *X) -> const ValueDecl * {
    const ValueDecl *D = objectDecl(X);
    return D && Objects.contains(D) ? D : nullptr;
  };
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    if (UO->isIncrementDecrementOp())
      return In(UO->getSubExpr());
  if (const auto *BO = dyn_cast<BinaryOperator>(E))
    if (BO->isAssignmentOp())
      return In(BO->getLHS());
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
    OverloadedOperatorKind K = Op->getOperator();
    if ((K == OO_PlusPlus || K == OO_MinusMinus || K == OO_Equal ||
         K == OO_PlusEqual || K == OO_MinusEqual || K == OO_AmpEqual ||
         K == OO_PipeEqual || K == OO_CaretEqual) &&
        Op->getNumArgs() >= 1)
      return In(Op->getArg(0));
    return nullptr;
  }
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E))
    if (const CXXMethodDecl *MD = MC->getMethodDecl(); MD && !MD->isConst())
      return In(MC->getImplicitObjectArgument());
  return nullptr;
}

// The last write (in source order) of one of Objects in S.
void lastWrite(const Stmt *S, const DeclSet &Objects, const Expr *&Out) {
  if (!S || isa<LambdaExpr>(S))
    return;
  for (const Stmt *C : S->children())
    lastWrite(C, Objects, Out);
  if (const auto *E = dyn_cast<Expr>(S))
    if (writtenObject(E, Objects))
      Out = E; // children first, in source order: the last one wins
}

// The first use, after Loc, of a variable Body does not declare (one it
// shares with the function that started it) and of `this`.
void laterUses(const Stmt *S, const FunctionDecl *Body,
               const SourceManager &SM, SourceLocation Loc,
               const Expr *&Local, const Expr *&This) {
  if (!S)
    return;
  if (const auto *E = dyn_cast<Expr>(S);
      E && SM.isBeforeInTranslationUnit(Loc, E->getBeginLoc())) {
    if (const auto *DR = dyn_cast<DeclRefExpr>(E))
      if (const auto *VD = dyn_cast<VarDecl>(DR->getDecl()))
        if (const DeclContext *DC = VD->getParentFunctionOrMethod();
            VD->hasLocalStorage() && DC && !Local &&
            cast<Decl>(DC)->getCanonicalDecl() != Body->getCanonicalDecl())
          Local = DR;
    if (isa<CXXThisExpr>(E) && !This)
      This = E;
  }
  for (const Stmt *C : S->children())
    laterUses(C, Body, SM, Loc, Local, This);
}

// The end of the innermost block around Signal that holds a guard of one of
// the waiter's mutexes declared before it: uses up to there happen before
// the lock is released, so before a waiter that reads the condition under
// that lock can go on.
SourceLocation guardedUntil(const Stmt *S, const Expr *Signal,
                            const SourceManager &SM, const ModelSet &Models,
                            const DeclSet &Mutexes) {
  if (!S || isa<LambdaExpr>(S))
    return {};
  for (const Stmt *C : S->children())
    if (C && SM.isPointWithin(Signal->getBeginLoc(), C->getBeginLoc(),
                              C->getEndLoc())) {
      SourceLocation Inner = guardedUntil(C, Signal, SM, Models, Mutexes);
      if (Inner.isValid())
        return Inner;
      break;
    }
  const auto *CS = dyn_cast<CompoundStmt>(S);
  if (!CS)
    return {};
  for (const Stmt *St : CS->body()) {
    if (!SM.isBeforeInTranslationUnit(St->getEndLoc(), Signal->getBeginLoc()))
      break;
    if (const auto *DS = dyn_cast<DeclStmt>(St))
      for (const Decl *D : DS->decls())
        if (const ValueDecl *M = guardMutex(dyn_cast<VarDecl>(D), Models);
            M && Mutexes.contains(M))
          return CS->getRBracLoc();
  }
  return {};
}

} // namespace

Completion waitForCompletion(const FunctionDecl *Detaching,
                             SourceLocation After, const FunctionDecl *Body,
                             const ModelSet &Models) {
  Completion Out;
  if (!Detaching || !Body || !Detaching->getBody() || After.isInvalid())
    return Out;
  const auto *Top = dyn_cast_or_null<CompoundStmt>(Body->getBody());
  if (!Top || Top->body_empty())
    return Out;
  const SourceManager &SM = Detaching->getASTContext().getSourceManager();
  DeclSet Waited, Mutexes;
  llvm::DenseMap<const ValueDecl *, const Stmt *> WaitOf;
  collectWaited(Detaching->getBody(), SM, After, Models, Waited, Mutexes,
                WaitOf);
  if (Waited.empty())
    return Out;
  // The thread's last top-level statement that writes a waited object.
  const Expr *Signal = nullptr;
  for (auto It = Top->body_rbegin(); It != Top->body_rend() && !Signal; ++It)
    lastWrite(*It, Waited, Signal);
  if (!Signal)
    return Out;
  Out.Signal = Signal;
  Out.Wait = WaitOf.lookup(writtenObject(Signal, Waited));
  SourceLocation From = Signal->getEndLoc();
  if (SourceLocation G = guardedUntil(Top, Signal, SM, Models, Mutexes);
      G.isValid())
    From = G;
  laterUses(Top, Body, SM, From, Out.LaterLocalUse, Out.LaterThisUse);
  Out.Kind = Out.LaterLocalUse || Out.LaterThisUse
                 ? CompletionWait::BeforeLastUse
                 : CompletionWait::AfterLastUse;
  return Out;
}

} // namespace tether
