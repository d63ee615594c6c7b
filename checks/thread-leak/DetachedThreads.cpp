// thread-leak (a) and (b): a detached thread.
//
//  (a) `detach()` of a thread whose body holds references to locals or to
//      `this` (by-reference captures, `std::ref(local)`, `&local`, `this`
//      passed to a member function) that may die before the thread does;
//  (b) `detach()` of a thread whose body loops forever with no way out.
//
// The detach is matched with its spawn by the Spawns analysis (right away,
// through a variable, a member or a container's elements); a member's
// handle started in another member function or a constructor is looked up
// in that function's spawns.
#include "ThreadLeak.h"
#include "ASTHelpers.h"
#include "Facts.h"
#include "HandlePaths.h"
#include "LockState.h"
#include "ThreadCompletion.h"

#include "clang/Basic/SourceManager.h"
#include "llvm/Support/GlobPattern.h"

using namespace clang;

namespace tether {
namespace threadleak {
namespace {

// Is D an automatic object of In's own frame: declared in In (a local or a
// by-value parameter), not a variable that In, a lambda, captured from the
// function around it (by reference that is a reference, by copy a member of
// the closure)? Any automatic object when In is unknown.
bool localOf(const ValueDecl *D, const FunctionDecl *In) {
  if (!isAutomaticObject(D))
    return false;
  if (!In)
    return true;
  const DeclContext *DC = D->getParentFunctionOrMethod();
  return DC && cast<Decl>(DC)->getCanonicalDecl() == In->getCanonicalDecl();
}

// The local variable an argument hands over by address: `std::ref(x)`,
// `std::cref(x)`, `&x`.
const VarDecl *addressedLocal(const Expr *A, const FunctionDecl *In) {
  A = stripTemporaries(A);
  const auto *Call = dyn_cast<CallExpr>(A);
  const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
  if (Callee && Callee->isInStdNamespace() && hasName(Callee, {"ref", "cref"})) {
    if (Call->getNumArgs() == 1)
      A = stripTemporaries(Call->getArg(0));
    else
      return nullptr;
  } else if (const auto *UO = dyn_cast<UnaryOperator>(A)) {
    if (UO->getOpcode() != UO_AddrOf)
      return nullptr;
    A = stripTemporaries(UO->getSubExpr());
  } else {
    return nullptr;
  }
  if (const auto *DR = dyn_cast<DeclRefExpr>(A))
    if (localOf(DR->getDecl(), In))
      return cast<VarDecl>(DR->getDecl());
  return nullptr;
}

// A loop at the top level of a thread body (or of a function the body hands
// over to) that never ends: a forever condition and no exit another thread
// can trigger or the loop can reach by itself (StopPaths).
const Stmt *endlessLoop(const FunctionDecl *FD, const StopPaths &SP,
                        int Depth) {
  if (!FD || Depth > 2)
    return nullptr;
  const FunctionDecl *Def = nullptr;
  if (!FD->hasBody(Def) || inSystemHeader(Def) || Def->isDependentContext())
    return nullptr;
  const auto *Body = dyn_cast_or_null<CompoundStmt>(Def->getBody());
  if (!Body)
    return nullptr;
  for (const Stmt *S : Body->body()) {
    if (isa<ForStmt, WhileStmt, DoStmt>(S)) {
      if (SP.isForeverLoop(S, Def) && !SP.loopCanEnd(S, Def))
        return S;
      continue;
    }
    // A body that hands over to a function that never returns:
    // `[this] { run(); }`.
    if (const auto *ES = dyn_cast<Expr>(S))
      if (const auto *Call = dyn_cast<CallExpr>(stripTemporaries(ES)))
        if (const FunctionDecl *Callee = Call->getDirectCallee())
          if (!Callee->isInStdNamespace())
            if (const Stmt *L = endlessLoop(Callee, SP, Depth + 1))
              return L;
  }
  return nullptr;
}

// Does the function wait for another thread (join, condition variable,
// latch, semaphore, future, channel receive, an event loop's run()) after
// Loc, directly or in a callee (its facts: "may wait")?
bool waitsFor(const Stmt *S, TUContext &TU, const SourceManager &SM,
              SourceLocation After) {
  if (!S || isa<LambdaExpr>(S))
    return false;
  const ModelSet &Models = TU.Models;
  if (const auto *Call = dyn_cast<CallExpr>(S)) {
    if (After.isInvalid() ||
        SM.isBeforeInTranslationUnit(After, Call->getBeginLoc())) {
      if (auto Op = matchBlockingOp(Call, Models))
        if (Op->What != "sleep" && Op->What != "IO wait")
          return true;
      // `io.run()`: returns only once all work handed to the event loop
      // (the threads or fibers it schedules) has finished.
      if (runsAllWork(Call, Models))
        return true;
      if (auto H = matchHandleOp(Call, Models); H && H->Kind == HandleOpKind::Join)
        return true;
      if (const FunctionDecl *Callee = factsCallee(Call))
        if (TU.facts().get(Callee).MayWait)
          return true;
    }
  }
  for (const Stmt *C : S->children())
    if (waitsFor(C, TU, SM, After))
      return true;
  return false;
}

struct Capture {
  const VarDecl *Var = nullptr; // null: `this`
  SourceLocation Loc;
};

// Is VD a loop variable, or declared in the body of a loop, of a loop
// around the spawn (Spawns' enclosing loops)?
bool declaredInLoopAround(const VarDecl *VD, const Spawn &S,
                          const SourceManager &SM) {
  SourceLocation L = VD->getLocation();
  for (const Stmt *Loop : S.Loops)
    if (L.isValid() && SM.isPointWithin(L, Loop->getBeginLoc(),
                                        Loop->getEndLoc()))
      return true;
  return false;
}

bool refersTo(const Stmt *S,
                     const llvm::SmallPtrSetImpl<const VarDecl *> &Vars) {
  if (!S)
    return false;
  if (const auto *DR = dyn_cast<DeclRefExpr>(S))
    if (const auto *VD = dyn_cast<VarDecl>(DR->getDecl()))
      if (Vars.contains(VD))
        return true;
  for (const Stmt *C : S->children())
    if (refersTo(C, Vars))
      return true;
  return false;
}

// A loop after Loc whose condition reads a variable the thread shares
// (`while (!done) sleep_for(1ms);`): the function polls for the thread.
bool pollsAfter(const Stmt *S,
                       const llvm::SmallPtrSetImpl<const VarDecl *> &Vars,
                       const SourceManager &SM, SourceLocation Loc) {
  if (!S || isa<LambdaExpr>(S))
    return false;
  const Expr *Cond = nullptr;
  if (const auto *W = dyn_cast<WhileStmt>(S))
    Cond = W->getCond();
  else if (const auto *D = dyn_cast<DoStmt>(S))
    Cond = D->getCond();
  else if (const auto *F = dyn_cast<ForStmt>(S))
    Cond = F->getCond();
  if (Cond && SM.isBeforeInTranslationUnit(Loc, S->getBeginLoc()) &&
      refersTo(Cond, Vars))
    return true;
  for (const Stmt *C : S->children())
    if (pollsAfter(C, Vars, SM, Loc))
      return true;
  return false;
}

// `delete this` in the thread's body: the thread owns the object.
bool deletesThis(const Stmt *S) {
  if (!S)
    return false;
  if (const auto *D = dyn_cast<CXXDeleteExpr>(S))
    if (isa<CXXThisExpr>(stripTemporaries(D->getArgument())))
      return true;
  for (const Stmt *C : S->children())
    if (deletesThis(C))
      return true;
  return false;
}
bool deletesThis(const FunctionDecl *Body) {
  return Body && deletesThis(Body->getBody());
}

// A destructor whose body calls a noreturn function (std::abort,
// std::terminate) at its top level never finishes: objects of the class
// are never destroyed normally (a singleton built into storage that is
// never freed), so `this` cannot dangle. Only a top-level call counts: a
// call under a condition may be skipped.
bool destructorNeverReturns(const CXXRecordDecl *RD) {
  if (!RD->hasDefinition())
    return false;
  const CXXDestructorDecl *Dtor = RD->getDefinition()->getDestructor();
  if (!Dtor || Dtor->isImplicit() || Dtor->isDefaulted())
    return false;
  const FunctionDecl *Def = nullptr;
  if (!Dtor->hasBody(Def) || !Def)
    return false;
  const auto *Body = dyn_cast_or_null<CompoundStmt>(Def->getBody());
  if (!Body)
    return false;
  // Plain statements before it run straight through; anything that may
  // branch (if, return, a loop) ends the search.
  for (const Stmt *St : Body->body()) {
    if (isa<DeclStmt, NullStmt>(St))
      continue;
    const auto *E = dyn_cast<Expr>(St);
    if (!E)
      return false;
    if (const auto *Call = dyn_cast<CallExpr>(E->IgnoreImplicit()))
      if (const FunctionDecl *Callee = Call->getDirectCallee())
        if (Callee->isNoReturn())
          return true;
  }
  return false;
}

bool destructorWaits(const CXXRecordDecl *RD, TUContext &TU,
                     const SourceManager &SM) {
  if (!RD->hasDefinition())
    return true;
  const CXXDestructorDecl *Dtor = RD->getDefinition()->getDestructor();
  if (!Dtor || Dtor->isImplicit() || Dtor->isDefaulted())
    return false;
  const FunctionDecl *Def = nullptr;
  if (!Dtor->hasBody(Def))
    return true; // defined where we cannot see: assume it waits
  return waitsFor(Def->getBody(), TU, SM, SourceLocation());
}

} // namespace

// The spawns a detach detaches: a local handle's spawns in this function,
// or the spawns into a member (the handle, or the container whose
// elements it detaches) in this function, else in the class's other
// member functions and constructors.
std::vector<const Spawn *>
ThreadLeakCheck::detachedSpawns(FunctionContext &Ctx, const HandleUse &U,
                                const Spawns &Here) {
  std::vector<const Spawn *> Out;
  const ObjectKey &K = *U.Target;
  if (!K.ThisBased) {
    const auto *VD = dyn_cast_or_null<VarDecl>(K.Root);
    if (U.Element || !VD || !K.Path.empty())
      return Out; // elements of a local container: Spawns' fates
    for (const Spawn &S : Here.all())
      if (S.Local == VD)
        Out.push_back(&S);
    return Out;
  }
  const auto *Field = dyn_cast_or_null<FieldDecl>(K.Root);
  if (!Field || !K.Path.empty())
    return Out;
  // The handle member itself, or a container member's elements.
  auto Matches = [&](const Spawn &S) {
    if (S.Member != Field)
      return false;
    return !U.Element || S.Fate == HandleFate::InContainer ||
           S.Fate == HandleFate::Detached;
  };
  for (const Spawn &S : Here.all())
    if (Matches(S))
      Out.push_back(&S);
  if (!Out.empty())
    return Out;
  // Started in a constructor or another member function of the class.
  const auto *RD = dyn_cast_or_null<CXXRecordDecl>(Field->getParent());
  if (!RD || !RD->hasDefinition())
    return Out;
  for (const CXXMethodDecl *M : RD->getDefinition()->methods()) {
    const FunctionDecl *Def = nullptr;
    if (!M->hasBody(Def) || Def == Ctx.function())
      continue;
    for (const Spawn &S : spawnsOf(Ctx, Def).all())
      if (Matches(S))
        Out.push_back(&S);
  }
  return Out;
}

bool ThreadLeakCheck::allowed(FunctionContext &Ctx, const Spawn &S,
                              const FunctionDecl *Body) {
  NameGlobs Globs =
      globsOption(Ctx.tu().Options, CheckId, "allow_detached");
  if (Globs.empty())
    return false;
  std::vector<std::string> Names;
  auto Add = [&](const FunctionDecl *F) {
    if (!F || !F->getIdentifier())
      return;
    Names.push_back(F->getNameAsString());
    Names.push_back(F->getQualifiedNameAsString());
  };
  Add(enclosingNamedFunction(Ctx.function()));
  if (Body) {
    Add(enclosingNamedFunction(Body));
    // `[this] { metrics_loop(); }`: the function the lambda runs.
    if (const auto *MD = dyn_cast<CXXMethodDecl>(Body);
        MD && MD->getParent()->isLambda())
      if (const auto *CS = dyn_cast_or_null<CompoundStmt>(Body->getBody()))
        for (const Stmt *St : CS->body())
          if (const auto *E = dyn_cast<Expr>(St))
            if (const auto *Call = dyn_cast<CallExpr>(stripTemporaries(E)))
              Add(Call->getDirectCallee());
  }
  return Globs.matchesAny(Names);
}

void ThreadLeakCheck::checkDetached(FunctionContext &Ctx,
                                    const CXXMemberCallExpr *Detach,
                                    const Spawn &S) {
  if (!Reported.insert({Detach, S.Site.Expr}).second)
    return;
  const FunctionDecl *Body = spawnBody(S.Site);
  if (allowed(Ctx, S, Body))
    return;
  const SourceManager &SM = Ctx.ast().getSourceManager();
  SourceLocation DetachLoc = Detach->getExprLoc();

  // (a) references that may dangle.
  std::vector<Capture> Caps;
  const LambdaExpr *L = lambdaOf(S.Site.Callable);
  // Smart pointers the thread holds by value (a shared owner of the
  // models: shared_from_this(), a shared_ptr to the object): they keep the
  // object alive if they point to the class of `this`.
  llvm::SmallVector<QualType, 2> Owners;
  const CXXRecordDecl *ThisClass = nullptr;
  // The function the thread is started in: its locals are the ones that
  // die (a lambda's are its own, not those it captured).
  const FunctionDecl *SpawnFn =
      Ctx.spawns().find(S.Site.Expr) == &S ? Ctx.function() : nullptr;
  if (L) {
    const auto *LambdaIn =
        dyn_cast<FunctionDecl>(L->getLambdaClass()->getDeclContext());
    for (const LambdaCapture &C : L->captures()) {
      // An implicit capture is shown at the capture default (`[=]`,
      // `[&]`).
      SourceLocation CapLoc = C.getLocation();
      if (C.isImplicit() && L->getCaptureDefaultLoc().isValid())
        CapLoc = L->getCaptureDefaultLoc();
      if (C.capturesThis()) {
        if (C.getCaptureKind() != LCK_StarThis)
          Caps.push_back({nullptr, CapLoc});
        continue;
      }
      if (!C.capturesVariable())
        continue;
      const auto *VD = dyn_cast_or_null<VarDecl>(C.getCapturedVar());
      if (!VD)
        continue;
      if (VD->isInitCapture()) {
        const Expr *Init = VD->getInit();
        if (!Init)
          continue;
        if (VD->getType()->isReferenceType()) {
          if (const auto *DR = dyn_cast<DeclRefExpr>(stripTemporaries(Init)))
            if (localOf(DR->getDecl(), LambdaIn))
              Caps.push_back({cast<VarDecl>(DR->getDecl()), CapLoc});
        } else if (const VarDecl *Addr = addressedLocal(Init, LambdaIn)) {
          Caps.push_back({Addr, CapLoc});
        } else if (isSharedOwnerType(VD->getType(), Ctx.tu().Models)) {
          Owners.push_back(VD->getType());
        }
        continue;
      }
      if (C.getCaptureKind() == LCK_ByRef) {
        if (localOf(VD, LambdaIn))
          Caps.push_back({VD, CapLoc});
      } else if (isSharedOwnerType(VD->getType(), Ctx.tu().Models)) {
        Owners.push_back(VD->getType());
      }
    }
  }
  for (const Expr *A : S.Site.Args) {
    if (const VarDecl *VD = addressedLocal(A, SpawnFn))
      Caps.push_back({VD, A->getBeginLoc()});
    else if (isa<CXXThisExpr>(stripTemporaries(A)))
      Caps.push_back({nullptr, A->getBeginLoc()});
    else if (isSharedOwnerType(stripTemporaries(A)->getType(), Ctx.tu().Models))
      Owners.push_back(stripTemporaries(A)->getType());
  }

  if (const FunctionDecl *Named = enclosingNamedFunction(Ctx.function()))
    if (const auto *MD = dyn_cast<CXXMethodDecl>(Named))
      ThisClass = MD->getParent();
  bool KeepsThisAlive = false;
  for (QualType T : Owners)
    if (const CXXRecordDecl *P = designatedRecord(T))
      if (ThisClass && P->hasDefinition() && ThisClass->hasDefinition()) {
        const CXXRecordDecl *A = P->getCanonicalDecl(),
                            *B = ThisClass->getCanonicalDecl();
        if (A == B || P->getDefinition()->isDerivedFrom(ThisClass) ||
            ThisClass->getDefinition()->isDerivedFrom(P))
          KeepsThisAlive = true;
      }

  const Capture *LocalCap = nullptr, *ThisCap = nullptr;
  for (const Capture &C : Caps) {
    // A variable of a loop around the spawn is
    // thread-loop-capture-by-ref's finding (with its fix-it).
    if (C.Var && !LocalCap &&
        !declaredInLoopAround(C.Var, S, SM))
      LocalCap = &C;
    if (!C.Var && !ThisCap)
      ThisCap = &C;
  }
  llvm::SmallPtrSet<const VarDecl *, 4> Shared;
  for (const Capture &C : Caps)
    if (C.Var)
      Shared.insert(C.Var);
  // Does a wait after the detach wait until the thread is done with what
  // it shares? A condition the thread makes true as its last use counts
  // (for `this` too); one it makes true before it last uses the locals
  // (`--pending; cv.notify_one();` on a local cv) does not, whatever else
  // the function waits for.
  Completion Done = waitForCompletion(Ctx.function(), Detach->getEndLoc(),
                                      Body, Ctx.tu().Models);
  bool LocalsUsedAfterSignal =
      Done.Kind == CompletionWait::BeforeLastUse && Done.LaterLocalUse;
  if (LocalCap &&
      (!Ctx.handlePaths().returnsAfter(Detach) ||
       (!LocalsUsedAfterSignal &&
        (Done.Kind != CompletionWait::None ||
         waitsFor(Ctx.function()->getBody(), Ctx.tu(), SM,
                  Detach->getEndLoc()) ||
         pollsAfter(Ctx.function()->getBody(), Shared, SM,
                    Detach->getEndLoc())))))
    LocalCap = nullptr; // the function waits for it, or never returns
  if (ThisCap && Done.Kind != CompletionWait::None && !Done.LaterThisUse)
    ThisCap = nullptr; // waits for the thread's last use of `this`
  if (ThisCap && (KeepsThisAlive || !ThisClass || deletesThis(Body) ||
                  classUses(Ctx).staticLifetime(ThisClass) ||
                  destructorWaits(ThisClass, Ctx.tu(), SM) ||
                  destructorNeverReturns(ThisClass)))
    ThisCap = nullptr;

  if (LocalCap) {
    const VarDecl *VD = LocalCap->Var;
    std::string Msg = "detached thread refers to local variable '" +
                      VD->getNameAsString() +
                      "', which may be destroyed while the thread still "
                      "uses it";
    DiagBuilder D = Ctx.report(info(), DetachLoc, Msg, Detach);
    D.range(Detach->getSourceRange());
    D.note(LocalCap->Loc, "'" + VD->getNameAsString() +
                              "' is referred to by the thread here");
    D.note(S.Site.Expr->getBeginLoc(), "thread started here");
    D.note(VD->getLocation(), "'" + VD->getNameAsString() +
                                  "' is destroyed at the end of its scope");
    if (LocalsUsedAfterSignal) {
      if (Done.Wait)
        D.note(Done.Wait->getBeginLoc(),
               "the wait here ends when the thread signals...");
      std::string Later = "the thread's locals";
      if (const auto *DR = dyn_cast<DeclRefExpr>(Done.LaterLocalUse))
        Later = "'" + DR->getDecl()->getNameAsString() + "'";
      // The use is in the thread's body: a thread of its own.
      D.thread(runningThreadLabel(Ctx.function()));
      D.note(Done.LaterLocalUse->getBeginLoc(),
             "...but the thread still uses " + Later + " after that",
             D.thread(startedThreadLabel(SM, S.Site.Expr->getBeginLoc())));
    }
  }
  if (ThisCap) {
    std::string Msg = "detached thread uses 'this'";
    if (ThisClass && ThisClass->getIdentifier())
      Msg += " of '" + ThisClass->getNameAsString() + "'";
    Msg += " and may outlive the object";
    DiagBuilder D = Ctx.report(info(), DetachLoc, Msg, Detach);
    D.range(Detach->getSourceRange());
    D.note(ThisCap->Loc, "'this' captured here");
    D.note(S.Site.Expr->getBeginLoc(), "thread started here");
  }

  // (b) endless loops.
  if (const Stmt *Loop = endlessLoop(Body, stopPaths(Ctx), 0)) {
    DiagBuilder D = Ctx.report(
        info(), DetachLoc,
        "detached thread runs an endless loop with no way to stop it",
        Detach);
    D.range(Detach->getSourceRange());
    D.note(S.Site.Expr->getBeginLoc(), "thread started here");
    // The loop is in the thread's body: a thread of its own.
    D.thread(runningThreadLabel(Ctx.function()));
    D.note(Loop->getBeginLoc(),
           "loops forever here: no break, return or stop condition",
           D.thread(startedThreadLabel(SM, S.Site.Expr->getBeginLoc())));
  }
}

} // namespace threadleak
} // namespace tether
