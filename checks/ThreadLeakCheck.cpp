// thread-leak: a spawned thread has no owner that waits for it.
//
//  (a) `detach()` of a thread whose body holds references to locals or to
//      `this` (by-reference captures, `std::ref(local)`, `&local`, `this`
//      passed to a member function) that may die before the thread does;
//  (b) `detach()` of a thread whose body loops forever with no way out;
//  (c) a handle whose destructor terminates when joinable (std::thread) that
//      is not joined, detached or handed on along some path from its start
//      to the end of its scope (early return, break, explicit throw, a call
//      in a try block before the join), and a thread member that its class
//      never joins or detaches anywhere;
//  (d) a std::async future with the default or deferred policy stored in a
//      variable and never used again: the task may never run.
//
// See docs/checks/thread-leak.md.
#include "core/Check.h"
#include "ASTHelpers.h"
#include "Facts.h"
#include "LockState.h"
#include "ModelMatch.h"
#include "Spawns.h"
#include "StopPaths.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclFriend.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Analysis/CFG.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/GlobPattern.h"

#include <deque>
#include <map>
#include <set>

using namespace clang;

namespace tether {
namespace {

const char *const CheckId = "thread-leak";

// Parens, implicit casts, temporaries, copies/moves of a temporary and
// functional casts; unlike stripWrappers, `&x` and `std::ref(x)` stay.
const Expr *peel(const Expr *E) { return stripTemporaries(E); }

bool isStdCall(const Expr *E, llvm::StringRef Name) {
  const auto *Call = dyn_cast_or_null<CallExpr>(E);
  if (!Call)
    return false;
  const FunctionDecl *FD = Call->getDirectCallee();
  return FD && FD->isInStdNamespace() && FD->getIdentifier() &&
         FD->getName() == Name;
}

// A variable whose storage ends with its scope (locals and by-value
// parameters). References are not: what they refer to is someone else's.
bool isAutomaticObject(const ValueDecl *D) {
  const auto *VD = dyn_cast_or_null<VarDecl>(D);
  return VD && VD->hasLocalStorage() && !VD->getType()->isReferenceType() &&
         !VD->isInitCapture();
}

// The local variable an argument hands over by address: `std::ref(x)`,
// `std::cref(x)`, `&x`.
const VarDecl *addressedLocal(const Expr *A) {
  A = peel(A);
  if (isStdCall(A, "ref") || isStdCall(A, "cref")) {
    const auto *Call = cast<CallExpr>(A);
    if (Call->getNumArgs() == 1)
      A = peel(Call->getArg(0));
    else
      return nullptr;
  } else if (const auto *UO = dyn_cast<UnaryOperator>(A)) {
    if (UO->getOpcode() != UO_AddrOf)
      return nullptr;
    A = peel(UO->getSubExpr());
  } else {
    return nullptr;
  }
  if (const auto *DR = dyn_cast<DeclRefExpr>(A))
    if (isAutomaticObject(DR->getDecl()))
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
      if (const auto *Call = dyn_cast<CallExpr>(peel(ES)))
        if (const FunctionDecl *Callee = Call->getDirectCallee())
          if (!Callee->isInStdNamespace())
            if (const Stmt *L = endlessLoop(Callee, SP, Depth + 1))
              return L;
  }
  return nullptr;
}

// The handle type of a field: a spawn handle (std::thread) or a container
// of them (std::vector<std::thread>).
const SpawnModel *handleModelOfType(QualType T, const ModelSet &Models,
                                    bool &Container) {
  Container = false;
  if (T.isNull() || T->isReferenceType() || T->isPointerType())
    return nullptr;
  const CXXRecordDecl *RD = T.getCanonicalType()->getAsCXXRecordDecl();
  if (!RD)
    return nullptr;
  if (const SpawnModel *M = Models.spawnForType(modelName(RD)))
    return M->Type.empty() || !M->Methods.empty() ? nullptr : M;
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD)) {
    const TemplateArgumentList &Args = Spec->getTemplateArgs();
    if (Args.size() >= 1 && Args[0].getKind() == TemplateArgument::Type)
      if (const CXXRecordDecl *E =
              Args[0].getAsType().getCanonicalType()->getAsCXXRecordDecl())
        if (const SpawnModel *M = Models.spawnForType(modelName(E)))
          if (!M->Type.empty() && M->Methods.empty()) {
            Container = true;
            return M;
          }
  }
  return nullptr;
}

// ---------------------------------------------------------------------------
// What the translation unit says about classes: how their objects are made
// (to know that `this` lives until exit) and how their thread members are
// used.

struct ClassFacts {
  unsigned StaticVars = 0, OtherObjects = 0;
  llvm::SmallPtrSet<const Expr *, 2> StaticInits;
  llvm::SmallVector<const CXXConstructExpr *, 4> Constructions;
};

struct FieldUses {
  unsigned Spawns = 0, Other = 0;
};

class TUFacts : public RecursiveASTVisitor<TUFacts> {
public:
  TUFacts(ASTContext &AST, const ModelSet &Models) : AST(AST), Models(Models) {
    TraverseDecl(AST.getTranslationUnitDecl());
  }

  // The standard library and other system headers say nothing about user
  // classes' objects.
  bool TraverseDecl(Decl *D) {
    if (D && !isa<TranslationUnitDecl>(D) && inSystemHeader(D))
      return true;
    return RecursiveASTVisitor::TraverseDecl(D);
  }

  bool VisitVarDecl(VarDecl *VD) {
    QualType T = VD->getType();
    if (T->isReferenceType() || T->isPointerType())
      return true;
    if (const CXXRecordDecl *RD = T.getCanonicalType()->getAsCXXRecordDecl()) {
      ClassFacts &F = Classes[RD->getCanonicalDecl()];
      if (VD->hasGlobalStorage()) {
        ++F.StaticVars;
        if (VD->getInit())
          F.StaticInits.insert(peel(VD->getInit()));
      } else {
        ++F.OtherObjects;
      }
    }
    return true;
  }
  bool VisitFieldDecl(FieldDecl *FD) {
    if (const CXXRecordDecl *RD =
            FD->getType().getCanonicalType()->getAsCXXRecordDecl())
      ++Classes[RD->getCanonicalDecl()].OtherObjects;
    return true;
  }
  bool VisitCXXConstructExpr(CXXConstructExpr *CE) {
    if (CE->getConstructor())
      Classes[CE->getConstructor()->getParent()->getCanonicalDecl()]
          .Constructions.push_back(CE);
    return true;
  }
  bool VisitCXXNewExpr(CXXNewExpr *NE) {
    if (const CXXRecordDecl *RD =
            NE->getAllocatedType().getCanonicalType()->getAsCXXRecordDecl())
      ++Classes[RD->getCanonicalDecl()].OtherObjects;
    return true;
  }
  bool VisitCallExpr(CallExpr *CE) {
    // make_shared<T>(), make_unique<T>(): objects made elsewhere.
    if (const FunctionDecl *FD = CE->getDirectCallee();
        FD && FD->getIdentifier() &&
        (FD->getName().starts_with("make_") ||
         FD->getName().starts_with("allocate_")))
      if (const TemplateArgumentList *TA = FD->getTemplateSpecializationArgs())
        for (const TemplateArgument &A : TA->asArray())
          if (A.getKind() == TemplateArgument::Type)
            if (const CXXRecordDecl *RD =
                    A.getAsType().getCanonicalType()->getAsCXXRecordDecl())
              ++Classes[RD->getCanonicalDecl()].OtherObjects;
    return true;
  }
  bool VisitDeclRefExpr(DeclRefExpr *DR) {
    // `&Server::worker_`: used in ways we do not follow.
    if (const auto *FD = dyn_cast<FieldDecl>(DR->getDecl()))
      ++Fields[FD].Other;
    return true;
  }
  bool VisitMemberExpr(MemberExpr *ME) {
    const auto *FD = dyn_cast<FieldDecl>(ME->getMemberDecl());
    if (!FD)
      return true;
    bool Container = false;
    if (!handleModelOfType(FD->getType(), Models, Container))
      return true;
    FieldUses &U = Fields[FD];
    if (isSpawnTarget(ME))
      ++U.Spawns;
    else
      ++U.Other;
    return true;
  }

  // `this` of a class whose objects all have static storage (a global or
  // a function-local static singleton) lives until exit.
  bool staticLifetime(const CXXRecordDecl *RD) const {
    if (!RD || !RD->hasDefinition())
      return false;
    RD = RD->getDefinition();
    auto It = Classes.find(RD->getCanonicalDecl());
    if (It == Classes.end())
      return false;
    const ClassFacts &F = It->second;
    if (F.StaticVars == 0 || F.OtherObjects != 0)
      return false;
    for (const CXXConstructExpr *CE : F.Constructions)
      if (!F.StaticInits.contains(CE))
        return false;
    // Derived classes construct their base part: those objects count.
    const SourceManager &SM = AST.getSourceManager();
    bool MainFile = SM.isInMainFile(SM.getExpansionLoc(RD->getLocation()));
    if (MainFile)
      return true;
    // A class from a header may have objects in other TUs: only when no
    // one else can construct it (a singleton).
    for (const CXXConstructorDecl *C : RD->ctors())
      if (!C->isDeleted() && C->getAccess() == AS_public)
        return false;
    return true;
  }

  const FieldUses *uses(const FieldDecl *FD) const {
    auto It = Fields.find(FD);
    return It == Fields.end() ? nullptr : &It->second;
  }

  bool shouldVisitImplicitCode() const { return false; }

private:
  bool isSpawnTarget(const MemberExpr *ME) {
    const Expr *Cur = ME;
    for (int I = 0; I < 4; ++I) {
      DynTypedNodeList Parents = AST.getParents(*Cur);
      if (Parents.empty())
        return false;
      const Expr *P = Parents[0].get<Expr>();
      if (!P)
        return false;
      if (isa<ImplicitCastExpr, ParenExpr, MaterializeTemporaryExpr>(P)) {
        Cur = P;
        continue;
      }
      // `worker_ = std::thread(...)`
      if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(P))
        return Op->getOperator() == OO_Equal && Op->getNumArgs() == 2 &&
               peel(Op->getArg(0)) == Cur &&
               matchSpawn(peel(Op->getArg(1)), Models).has_value();
      // `workers_.emplace_back(f)`, `workers_.push_back(std::thread(f))`
      if (const auto *M = dyn_cast<MemberExpr>(P)) {
        DynTypedNodeList GP = AST.getParents(*M);
        const auto *MC = GP.empty() ? nullptr : GP[0].get<CXXMemberCallExpr>();
        if (!MC || MC->getCallee() != M)
          return false;
        if (matchSpawn(MC, Models))
          return true;
        if (!isContainerInsert(MC))
          return false;
        for (const Expr *A : MC->arguments())
          if (!matchSpawn(peel(A), Models))
            return false;
        return MC->getNumArgs() > 0;
      }
      return false;
    }
    return false;
  }

  ASTContext &AST;
  const ModelSet &Models;
  std::map<const CXXRecordDecl *, ClassFacts> Classes;
  std::map<const FieldDecl *, FieldUses> Fields;
};

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

// ---------------------------------------------------------------------------

class ThreadLeakCheck : public Check {
public:
  const CheckInfo &info() const override {
    static const CheckInfo Info{
        CheckId,
        "A thread has no owner that waits for it.",
        "A detached thread that uses locals or `this` of an object it may "
        "outlive reads freed memory; a detached thread that loops forever "
        "can never be stopped; a std::thread destroyed while joinable (an "
        "early return, a break or an exception skipped the join) calls "
        "std::terminate; a std::async task whose future is never waited on "
        "may never run (default or deferred policy). Keep the thread's "
        "handle and join it on every path (std::jthread, a guard), give a "
        "detached thread only values and shared ownership, and give endless "
        "loops a stop condition.",
        Severity::Warning,
        {{"allow_detached", OptionType::Globs, "",
          "intentional daemons (globs over simple and qualified function "
          "names): detached threads they start or run are not reported; "
          "cancel-missing reads it too"}}};
    return Info;
  }

  void checkFunction(FunctionContext &Ctx) override {
    const FunctionDecl *FD = Ctx.function();
    if (!FD || FD->isDependentContext() || !FD->getBody())
      return;
    const Spawns &Here = Ctx.spawns();
    if (Here.empty() && Here.handleUses().empty())
      return;

    // (a), (b): detached threads. The spawns whose handle this function
    // detaches (right away, through its variable or member, or through the
    // elements of the container it went into)...
    for (const Spawn &S : Here.all())
      if (S.Fate == HandleFate::Detached)
        if (const auto *MC = dyn_cast_or_null<CXXMemberCallExpr>(S.FateSite))
          checkDetached(Ctx, MC, S);
    // ... and the handles started elsewhere (another member function, the
    // constructor) or before a detach that precedes the spawn in the text.
    for (const HandleUse &U : Here.handleUses()) {
      if (U.Kind != HandleOpKind::Detach || !U.Target)
        continue;
      const auto *MC = dyn_cast<CXXMemberCallExpr>(U.Call);
      if (!MC || matchSpawn(peel(MC->getImplicitObjectArgument()),
                            Ctx.tu().Models))
        continue; // a temporary: handled above
      for (const Spawn *S : detachedSpawns(Ctx, U, Here))
        checkDetached(Ctx, MC, *S);
    }

    // (c): local handles that terminate when destroyed joinable.
    for (const Spawn &S : Here.all())
      if (S.Local && S.Site.Model &&
          S.Site.Model->Destruction == OnDestruction::Terminate &&
          S.Site.Model->Function.empty())
        checkLocalPaths(Ctx, S);
    // (c): thread members never joined.
    for (const Spawn &S : Here.all())
      if (S.Member)
        checkMember(Ctx, S);

    // (d): std::async futures stored and never used.
    for (const Spawn &S : Here.all())
      if (S.Local && S.Site.Model && !S.Site.Model->Returns.empty() &&
          isa_and_nonnull<DeclStmt>(S.Anchor))
        checkFuture(Ctx, S);
  }

private:
  // ---- helpers -----------------------------------------------------------

  const StopPaths &stopPaths(FunctionContext &Ctx) {
    if (!Stops)
      Stops = std::make_unique<StopPaths>(Ctx.ast(), Ctx.tu().Models);
    return *Stops;
  }

  TUFacts &facts(FunctionContext &Ctx) {
    if (!Facts)
      Facts = std::make_unique<TUFacts>(Ctx.ast(), Ctx.tu().Models);
    return *Facts;
  }

  // The spawns of another function of the TU (computed once).
  const Spawns &spawnsOf(FunctionContext &Ctx, const FunctionDecl *Def) {
    std::unique_ptr<Spawns> &P = OtherSpawns[Def];
    if (!P)
      P = std::make_unique<Spawns>(Ctx.tu(), Def);
    return *P;
  }

  // The spawns a detach detaches: a local handle's spawns in this function,
  // or the spawns into a member (the handle, or the container whose
  // elements it detaches) in this function, else in the class's other
  // member functions and constructors.
  std::vector<const Spawn *> detachedSpawns(FunctionContext &Ctx,
                                            const HandleUse &U,
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

  bool allowed(FunctionContext &Ctx, const Spawn &S,
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
              if (const auto *Call = dyn_cast<CallExpr>(peel(E)))
                Add(Call->getDirectCallee());
    }
    return Globs.matchesAny(Names);
  }

  // ---- (a) and (b) -------------------------------------------------------

  struct Capture {
    const VarDecl *Var = nullptr; // null: `this`
    SourceLocation Loc;
  };

  // Is VD a loop variable, or declared in the body of a loop, of a loop
  // that also holds Spawn?
  static bool declaredInLoopAround(const VarDecl *VD, const Expr *Spawn,
                                   ASTContext &AST) {
    const SourceManager &SM = AST.getSourceManager();
    DynTypedNodeList Parents = AST.getParents(*VD);
    for (int Depth = 0; !Parents.empty() && Depth < 64; ++Depth) {
      const DynTypedNode &N = Parents[0];
      if (N.get<FunctionDecl>() || N.get<LambdaExpr>())
        return false;
      if (const Stmt *St = N.get<Stmt>())
        if (isa<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt>(St)) {
          SourceRange R = St->getSourceRange();
          SourceLocation L = Spawn->getBeginLoc();
          return R.isValid() && L.isValid() &&
                 !SM.isBeforeInTranslationUnit(L, R.getBegin()) &&
                 !SM.isBeforeInTranslationUnit(R.getEnd(), L);
        }
      Parents = AST.getParents(N);
    }
    return false;
  }

  void checkDetached(FunctionContext &Ctx, const CXXMemberCallExpr *Detach,
                     const Spawn &S) {
    if (!Reported.insert({Detach, S.Site.Expr}).second)
      return;
    const FunctionDecl *Body = calleeBody(S.Site.Callable);
    if (allowed(Ctx, S, Body))
      return;
    const SourceManager &SM = Ctx.ast().getSourceManager();
    SourceLocation DetachLoc = Detach->getExprLoc();

    // (a) references that may dangle.
    std::vector<Capture> Caps;
    const LambdaExpr *L = lambdaOf(S.Site.Callable);
    // Smart pointers the thread holds by value: they keep the object alive
    // if they point to the class of `this`.
    llvm::SmallVector<QualType, 2> Owners;
    const CXXRecordDecl *ThisClass = nullptr;
    if (L) {
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
            if (const auto *DR = dyn_cast<DeclRefExpr>(peel(Init)))
              if (isAutomaticObject(DR->getDecl()))
                Caps.push_back({cast<VarDecl>(DR->getDecl()), CapLoc});
          } else if (const VarDecl *Addr = addressedLocal(Init)) {
            Caps.push_back({Addr, CapLoc});
          } else if (holdsOwner(VD->getType())) {
            Owners.push_back(VD->getType());
          }
          continue;
        }
        if (C.getCaptureKind() == LCK_ByRef) {
          if (isAutomaticObject(VD))
            Caps.push_back({VD, CapLoc});
        } else if (holdsOwner(VD->getType())) {
          Owners.push_back(VD->getType());
        }
      }
    }
    for (const Expr *A : S.Site.Args) {
      if (const VarDecl *VD = addressedLocal(A))
        Caps.push_back({VD, A->getBeginLoc()});
      else if (isa<CXXThisExpr>(peel(A)))
        Caps.push_back({nullptr, A->getBeginLoc()});
      else if (holdsOwner(peel(A)->getType()))
        Owners.push_back(peel(A)->getType());
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
          !declaredInLoopAround(C.Var, S.Site.Expr, Ctx.ast()))
        LocalCap = &C;
      if (!C.Var && !ThisCap)
        ThisCap = &C;
    }
    llvm::SmallPtrSet<const VarDecl *, 4> Shared;
    for (const Capture &C : Caps)
      if (C.Var)
        Shared.insert(C.Var);
    if (LocalCap &&
        (waitsFor(Ctx.function()->getBody(), Ctx.tu(), SM,
                  Detach->getEndLoc()) ||
         pollsAfter(Ctx.function()->getBody(), Shared, SM,
                    Detach->getEndLoc()) ||
         !returnsAfter(Ctx, Detach)))
      LocalCap = nullptr; // the function waits for it, or never returns
    if (ThisCap && (KeepsThisAlive || !ThisClass || deletesThis(Body) ||
                    facts(Ctx).staticLifetime(ThisClass) ||
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
      D.note(Loop->getBeginLoc(),
             "loops forever here: no break, return or stop condition");
    }
  }

  static bool refersTo(const Stmt *S,
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
  static bool pollsAfter(const Stmt *S,
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
  static bool deletesThis(const Stmt *S) {
    if (!S)
      return false;
    if (const auto *D = dyn_cast<CXXDeleteExpr>(S))
      if (isa<CXXThisExpr>(peel(D->getArgument())))
        return true;
    for (const Stmt *C : S->children())
      if (deletesThis(C))
        return true;
    return false;
  }
  static bool deletesThis(const FunctionDecl *Body) {
    return Body && deletesThis(Body->getBody());
  }

  // Can the function return (or leave by an exception) after the statement?
  // A `main` that serves forever keeps its locals alive.
  bool returnsAfter(FunctionContext &Ctx, const Stmt *S) {
    FnCFG *C = cfgFor(Ctx);
    if (!C || !C->G)
      return true;
    auto W = C->Where.find(S);
    if (W == C->Where.end())
      return true;
    const CFGBlock *Exit = &C->G->getExit();
    std::vector<const CFGBlock *> Work{W->second.first};
    llvm::DenseSet<const CFGBlock *> Seen{W->second.first};
    while (!Work.empty()) {
      const CFGBlock *B = Work.back();
      Work.pop_back();
      if (B == Exit)
        return true;
      for (const CFGBlock::AdjacentBlock &Succ : B->succs())
        if (const CFGBlock *N = Succ.getReachableBlock())
          if (Seen.insert(N).second)
            Work.push_back(N);
    }
    return false;
  }

  // A by-value smart pointer (shared_from_this(), a shared_ptr to the
  // object) keeps what it points to alive.
  static bool holdsOwner(QualType T) {
    T = T.getNonReferenceType();
    const CXXRecordDecl *RD = T.getCanonicalType()->getAsCXXRecordDecl();
    if (!RD || !RD->getIdentifier())
      return false;
    std::string N = modelName(RD);
    return N == "std::shared_ptr" || N == "boost::shared_ptr" ||
           N == "std::weak_ptr" || N == "boost::intrusive_ptr";
  }

  // A destructor whose body calls a noreturn function (std::abort,
  // std::terminate) at its top level never finishes: objects of the class
  // are never destroyed normally (a singleton built into storage that is
  // never freed), so `this` cannot dangle. Only a top-level call counts: a
  // call under a condition may be skipped.
  static bool destructorNeverReturns(const CXXRecordDecl *RD) {
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

  // ---- (c) local handles ---------------------------------------------------

  // Statements that end the analysis of the handle on a path: any use of
  // the variable (join, detach, joinable(), a move, a reference handed to
  // someone) and lambdas that capture it.
  static void collectUses(const Stmt *S, const VarDecl *VD,
                          llvm::DenseSet<const Stmt *> &Out) {
    if (!S)
      return;
    if (const auto *L = dyn_cast<LambdaExpr>(S)) {
      for (const LambdaCapture &C : L->captures())
        if (C.capturesVariable() && C.getCapturedVar() == VD)
          Out.insert(L);
      return;
    }
    if (const auto *DR = dyn_cast<DeclRefExpr>(S))
      if (DR->getDecl() == VD)
        Out.insert(DR);
    for (const Stmt *C : S->children())
      collectUses(C, VD, Out);
  }

  static void innermostTries(const Stmt *S, const CXXTryStmt *Try,
                             llvm::DenseMap<const Stmt *, const CXXTryStmt *> &M) {
    if (!S || isa<LambdaExpr>(S))
      return;
    if (Try)
      M[S] = Try;
    if (const auto *T = dyn_cast<CXXTryStmt>(S)) {
      innermostTries(T->getTryBlock(), T, M);
      for (unsigned I = 0; I < T->getNumHandlers(); ++I)
        innermostTries(T->getHandler(I), Try, M);
      return;
    }
    for (const Stmt *C : S->children())
      innermostTries(C, Try, M);
  }

  static bool contains(const Stmt *Outer, const Stmt *Inner) {
    if (!Outer)
      return false;
    if (Outer == Inner)
      return true;
    for (const Stmt *C : Outer->children())
      if (contains(C, Inner))
        return true;
    return false;
  }

  // A std stream (a class that is or derives from std::ios_base).
  static bool isStdStream(QualType T) {
    const CXXRecordDecl *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
    if (!RD || !RD->hasDefinition())
      return false;
    RD = RD->getDefinition();
    auto IsIosBase = [](const CXXRecordDecl *R) {
      return R->isInStdNamespace() && R->getIdentifier() &&
             R->getName() == "ios_base";
    };
    if (IsIosBase(RD))
      return true;
    if (RD->isDependentContext())
      return false;
    bool Found = false;
    RD->forallBases([&](const CXXRecordDecl *B) {
      if (IsIosBase(B))
        Found = true;
      return true;
    });
    return Found;
  }

  // Can this call inside a try realistically throw? Not a noexcept or
  // noreturn callee, not a join/detach of a spawn-model handle (they throw
  // only for an invalid handle or a self-join), not `<<`/`>>` on a std
  // stream (with the default exception mask streams report errors through
  // their state). When unsure whether it throws, the path is not reported.
  static bool mayThrow(const CallExpr *Call, const ModelSet &Models) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (!Callee)
      return true;
    if (Callee->isNoReturn())
      return false;
    if (auto H = matchHandleOp(Call, Models);
        H && (H->Kind == HandleOpKind::Join ||
              H->Kind == HandleOpKind::Detach))
      return false;
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call))
      if ((Op->getOperator() == OO_LessLess ||
           Op->getOperator() == OO_GreaterGreater) &&
          Op->getNumArgs() == 2 && isStdStream(Op->getArg(0)->getType()))
        return false;
    if (const auto *FPT = Callee->getType()->getAs<FunctionProtoType>())
      if (FPT->isNothrow())
        return false;
    return true;
  }

  struct FnCFG {
    const CFG *G = nullptr; // owned by the function's analyses
    llvm::DenseMap<const Stmt *, std::pair<const CFGBlock *, unsigned>> Where;
    llvm::DenseMap<const CXXTryStmt *, const CFGBlock *> TryDispatch;
    llvm::DenseMap<const Stmt *, const CXXTryStmt *> TryOf;
  };

  FnCFG *cfgFor(FunctionContext &Ctx) {
    const FunctionDecl *FD = Ctx.function();
    if (CurCFG && CurCFGFor == FD)
      return CurCFG.get();
    auto C = std::make_unique<FnCFG>();
    C->G = Ctx.cfg(CFGKind::ImplicitDtors);
    if (C->G) {
      for (const CFGBlock *B : *C->G) {
        unsigned I = 0;
        for (const CFGElement &E : *B) {
          if (auto CS = E.getAs<CFGStmt>())
            C->Where.try_emplace(CS->getStmt(), B, I);
          ++I;
        }
        if (const auto *T =
                dyn_cast_or_null<CXXTryStmt>(B->getTerminatorStmt()))
          C->TryDispatch[T] = B;
      }
      innermostTries(FD->getBody(), nullptr, C->TryOf);
    }
    CurCFG = std::move(C);
    CurCFGFor = FD;
    return CurCFG.get();
  }

  void checkLocalPaths(FunctionContext &Ctx, const Spawn &S) {
    const VarDecl *VD = S.Local;
    if (!VD->hasLocalStorage() || !S.Anchor)
      return;
    FnCFG *C = cfgFor(Ctx);
    if (!C || !C->G)
      return;
    auto W = C->Where.find(S.Anchor);
    if (W == C->Where.end())
      return;
    llvm::DenseSet<const Stmt *> Uses;
    collectUses(Ctx.function()->getBody(), VD, Uses);
    Uses.insert(S.Anchor);
    const Stmt *VarScopeStmt = nullptr; // the DeclStmt of the variable
    for (const auto &[St, Pos] : C->Where)
      if (const auto *DS = dyn_cast<DeclStmt>(St))
        for (const Decl *D : DS->decls())
          if (D == VD)
            VarScopeStmt = DS;

    struct Item {
      const CFGBlock *B;
      unsigned Index;
      const CallExpr *Via; // an exception thrown by this call got here
    };
    std::deque<Item> Work;
    llvm::DenseSet<const CFGBlock *> Seen;
    Work.push_back({W->second.first, W->second.second + 1, nullptr});
    const CFGBlock *Exit = &C->G->getExit();
    while (!Work.empty()) {
      Item It = Work.front();
      Work.pop_front();
      const CFGBlock *B = It.B;
      bool Stopped = false;
      for (unsigned I = It.Index; I < B->size() && !Stopped; ++I) {
        CFGElement E = (*B)[I];
        if (auto CS = E.getAs<CFGStmt>()) {
          const Stmt *St = CS->getStmt();
          if (Uses.contains(St)) {
            Stopped = true;
            break;
          }
          if (isa<CXXThrowExpr>(St)) {
            bool ToExit = false;
            for (const CFGBlock::AdjacentBlock &Succ : B->succs())
              if (Succ.getReachableBlock() == Exit)
                ToExit = true;
            if (ToExit) {
              reportLocal(Ctx, S, St, "throws here without joining '" +
                                          VD->getNameAsString() + "'",
                          nullptr, Uses.size() > 1);
              return;
            }
          }
          if (const auto *Call = dyn_cast<CallExpr>(St)) {
            auto T = C->TryOf.find(Call);
            if (T != C->TryOf.end() && mayThrow(Call, Ctx.tu().Models) &&
                !isa<CXXThrowExpr>(St)) {
              const CXXTryStmt *Try = T->second;
              if (VarScopeStmt && contains(Try->getTryBlock(), VarScopeStmt)) {
                // The exception leaves the variable's scope: it is
                // destroyed during unwinding while still joinable.
                reportLocal(Ctx, S, Call,
                            "an exception thrown here destroys '" +
                                VD->getNameAsString() + "' while joinable",
                            nullptr, Uses.size() > 1);
                return;
              }
              auto D = C->TryDispatch.find(Try);
              if (D != C->TryDispatch.end())
                for (const CFGBlock::AdjacentBlock &Succ : D->second->succs())
                  if (const CFGBlock *H = Succ.getReachableBlock())
                    if (Seen.insert(H).second)
                      Work.push_back({H, 0, Call});
            }
          }
        } else if (auto Dtor = E.getAs<CFGAutomaticObjDtor>()) {
          if (Dtor->getVarDecl() == VD) {
            exitFound(Ctx, S, B, I, *Dtor, It.Via, Uses.size() > 1);
            return;
          }
        }
      }
      if (Stopped)
        continue;
      for (const CFGBlock::AdjacentBlock &Succ : B->succs())
        if (const CFGBlock *N = Succ.getReachableBlock())
          if (Seen.insert(N).second)
            Work.push_back({N, 0, It.Via});
    }
  }

  void exitFound(FunctionContext &Ctx, const Spawn &S, const CFGBlock *B,
                 unsigned DtorIndex, const CFGAutomaticObjDtor &Dtor,
                 const CallExpr *Via, bool UsedSomewhere) {
    std::string Name = S.Local->getNameAsString();
    for (unsigned I = DtorIndex; I-- > 0;)
      if (auto CS = (*B)[I].getAs<CFGStmt>())
        if (isa<ReturnStmt>(CS->getStmt())) {
          reportLocal(Ctx, S, CS->getStmt(),
                      "returns here without joining '" + Name + "'", Via,
                      UsedSomewhere);
          return;
        }
    if (const Stmt *T = B->getTerminatorStmt()) {
      if (isa<BreakStmt>(T)) {
        reportLocal(Ctx, S, T,
                    "leaves the loop here without joining '" + Name + "'", Via,
                    UsedSomewhere);
        return;
      }
      if (isa<ContinueStmt, GotoStmt>(T)) {
        reportLocal(Ctx, S, T, "jumps here without joining '" + Name + "'",
                    Via, UsedSomewhere);
        return;
      }
    }
    const Stmt *Trigger = Dtor.getTriggerStmt();
    SourceLocation Loc;
    if (const auto *CS = dyn_cast_or_null<CompoundStmt>(Trigger))
      Loc = CS->getRBracLoc();
    else if (Trigger)
      Loc = Trigger->getBeginLoc();
    reportLocal(Ctx, S, nullptr,
                "'" + Name + "' goes out of scope here without being joined",
                Via, UsedSomewhere, Loc);
  }

  void reportLocal(FunctionContext &Ctx, const Spawn &S, const Stmt *At,
                   const std::string &Note, const CallExpr *Via,
                   bool UsedSomewhere, SourceLocation Loc = SourceLocation()) {
    std::string Name = S.Local->getNameAsString();
    std::string Type = S.Site.Model->Type;
    std::string Msg =
        UsedSomewhere
            ? Type + " '" + Name +
                  "' is not joined or detached on every path; its destructor "
                  "calls std::terminate"
            : Type + " '" + Name +
                  "' is never joined or detached; its destructor calls "
                  "std::terminate";
    const Stmt *Anchor = S.Anchor ? S.Anchor : S.Site.Expr;
    DiagBuilder D =
        Ctx.report(info(), S.Site.Expr->getBeginLoc(), Msg, Anchor);
    if (Via)
      D.note(Via->getBeginLoc(),
             "an exception thrown here skips the join of '" + Name + "'");
    D.note(At ? At->getBeginLoc() : Loc, Note);
  }

  // ---- (c) members -------------------------------------------------------

  static bool allMethodsVisible(const CXXRecordDecl *RD, int Depth = 0) {
    if (!RD || !RD->hasDefinition() || Depth > 3)
      return false;
    RD = RD->getDefinition();
    for (const Decl *D : RD->decls()) {
      if (isa<FriendDecl>(D))
        return false;
      const FunctionDecl *F = nullptr;
      if (const auto *FT = dyn_cast<FunctionTemplateDecl>(D))
        F = FT->getTemplatedDecl();
      else
        F = dyn_cast<FunctionDecl>(D);
      if (F) {
        if (F->isImplicit() || F->isDeleted() || F->isDefaulted() ||
            F->isPureVirtual())
          continue;
        if (!F->hasBody())
          return false;
        continue;
      }
      if (const auto *Nested = dyn_cast<CXXRecordDecl>(D))
        if (!Nested->isInjectedClassName() && Nested->hasDefinition() &&
            !allMethodsVisible(Nested, Depth + 1))
          return false;
    }
    return true;
  }

  void checkMember(FunctionContext &Ctx, const Spawn &S) {
    const FieldDecl *F = S.Member;
    if (!F || !ReportedFields.insert(F).second)
      return;
    bool Container = false;
    const SpawnModel *M =
        handleModelOfType(F->getType(), Ctx.tu().Models, Container);
    if (!M || M->Destruction != OnDestruction::Terminate)
      return;
    const auto *RD = dyn_cast_or_null<CXXRecordDecl>(F->getParent());
    if (!RD || RD->isDependentContext() || RD->isLambda() ||
        isa<ClassTemplateSpecializationDecl>(RD) || RD->isUnion())
      return;
    const SourceManager &SM = Ctx.ast().getSourceManager();
    bool MainFile = SM.isInMainFile(SM.getExpansionLoc(RD->getLocation()));
    // Others may reach a member that is not private (derived classes,
    // code in other TUs), unless the class lives in this file alone.
    if (!MainFile && F->getAccess() != AS_private)
      return;
    if (!allMethodsVisible(RD))
      return;
    const FieldUses *U = facts(Ctx).uses(F);
    // The ctor-initializer start is not a member expression.
    if (U && U->Other > 0)
      return;
    std::string Cls = RD->getIdentifier() ? RD->getNameAsString() : "the class";
    std::string Msg =
        Container
            ? "member '" + F->getNameAsString() + "' holds " + M->Type +
                  " objects that are never joined or detached; destroying a '" +
                  Cls + "' while they run calls std::terminate"
            : M->Type + " member '" + F->getNameAsString() +
                  "' is never joined or detached; destroying a '" + Cls +
                  "' while the thread runs calls std::terminate";
    DiagBuilder D = Ctx.report(info(), F->getLocation(), Msg, S.Anchor);
    D.note(S.Site.Expr->getBeginLoc(), "thread started here");
  }

  // ---- (d) std::async futures ----------------------------------------------

  // A std::async future that nothing ever waits on. With
  // std::launch::async its destructor joins the task at the end of the
  // scope (a deliberate "join at scope end" idiom as often as a mistake):
  // not reported. With the default policy the implementation may defer the
  // task until get()/wait(), and with std::launch::deferred it certainly
  // does: a future that is never waited on means the task may never run.
  void checkFuture(FunctionContext &Ctx, const Spawn &S) {
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
      const auto *DR = dyn_cast<DeclRefExpr>(peel(A));
      if (!DR || !DR->getDecl()->getIdentifier())
        return; // a computed policy (`async | deferred`, a variable)
      if (DR->getDecl()->getName() != "deferred")
        return; // std::launch::async: the destructor joins
      Deferred = true;
    }
    llvm::DenseSet<const Stmt *> Uses;
    collectUses(Ctx.function()->getBody(), VD, Uses);
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

  std::unique_ptr<TUFacts> Facts;
  std::map<const FunctionDecl *, std::unique_ptr<Spawns>> OtherSpawns;
  std::unique_ptr<StopPaths> Stops;
  std::unique_ptr<FnCFG> CurCFG; // the CFG of the function being checked
  const FunctionDecl *CurCFGFor = nullptr;
  std::set<std::pair<const Expr *, const Expr *>> Reported;
  llvm::DenseSet<const FieldDecl *> ReportedFields;
};

} // namespace

std::unique_ptr<Check> createThreadLeakCheck() {
  return std::make_unique<ThreadLeakCheck>();
}

} // namespace tether
