#include "Spawns.h"
#include "ASTHelpers.h"
#include "AnalysisContext.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"

using namespace clang;

namespace tether {

namespace {

// std::move and std::forward: casts the language defines, spelled as library
// functions (not an API a model describes).
bool isStdMove(const Expr *E) {
  const auto *C = dyn_cast<CallExpr>(E);
  return C && C->getNumArgs() == 1 && isLanguageCast(C->getDirectCallee());
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

// A smart pointer: a class template whose first argument is the type it
// designates through operator-> (ModelMatch's designatedRecord).
bool isSmartPointer(QualType T) {
  const auto *RD = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      T.getNonReferenceType().getCanonicalType()->getAsCXXRecordDecl());
  return RD && designatedRecord(T) != RD;
}

} // namespace

const char *handleFateName(HandleFate F) {
  switch (F) {
  case HandleFate::Unknown:
    return "unknown";
  case HandleFate::Detached:
    return "detached";
  case HandleFate::Joined:
    return "joined";
  case HandleFate::Stored:
    return "stored";
  case HandleFate::InContainer:
    return "in container";
  case HandleFate::Returned:
    return "returned";
  case HandleFate::Destroyed:
    return "destroyed";
  case HandleFate::Discarded:
    return "discarded";
  case HandleFate::NoHandle:
    return "no handle";
  }
  return "unknown";
}

bool isContainerInsert(const CallExpr *Call) {
  // The built-in models' conventions, for callers that do not pass theirs.
  static const ModelSet Builtins = [] {
    ModelSet S;
    S.addBuiltins(llvm::nulls());
    return S;
  }();
  return isContainerInsert(Call, Builtins);
}

// The member of `this` an expression names directly (`worker_`,
// `this->workers_`).
static const FieldDecl *thisMember(const Expr *E) {
  const auto *ME = dyn_cast_or_null<MemberExpr>(E ? stripTemporaries(E) : nullptr);
  if (!ME || !isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()))
    return nullptr;
  return dyn_cast<FieldDecl>(ME->getMemberDecl());
}

Spawns::Spawns(TUContext &TU, const FunctionDecl *FD)
    : TU(TU), FD(FD), Body(FD ? FD->getBody() : nullptr) {
  if (!Body)
    return;
  PM = std::make_unique<ParentMap>(const_cast<Stmt *>(Body));
  Resolver = std::make_unique<ObjectResolver>(Body);
  // A constructor's member initializers (`worker_(&C::run, this)`) and the
  // default member initializers it runs (`std::thread worker_{&C::run,
  // this};` in the class, the same expression for every constructor).
  if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(FD))
    for (const CXXCtorInitializer *Init : Ctor->inits()) {
      const FieldDecl *Field = Init->getMember();
      if (!Field || !Init->getInit())
        continue;
      const Expr *Value = nullptr;
      if (Init->isWritten())
        Value = Init->getInit();
      else if (isa<CXXDefaultInitExpr>(Init->getInit()))
        Value = Field->getInClassInitializer();
      if (!Value)
        continue;
      const Expr *E = stripTemporaries(Value);
      if (auto Site = matchSpawn(E, TU.Models)) {
        Spawn S;
        S.Site = *Site;
        S.InInitializer = true;
        S.Fate = HandleFate::Stored;
        ObjectKey K;
        K.Root = Field;
        K.ThisBased = true;
        S.Storage = K;
        S.StorageDecl = Field;
        S.Anchor = E;
        S.FateSite = E;
        S.Member = Field;
        List.push_back(std::move(S));
      }
    }
  llvm::SmallVector<const Stmt *, 4> Loops;
  collect(Body, Loops);
  for (Spawn &S : List)
    if (!S.InInitializer)
      resolveFate(S);
  for (Spawn &S : List)
    matchLaterUses(S);
}

Spawns::~Spawns() = default;

const Spawn *Spawns::find(const Expr *SpawnExpr) const {
  for (const Spawn &S : List)
    if (S.Site.Expr == SpawnExpr)
      return &S;
  return nullptr;
}

void Spawns::collect(const Stmt *S,
                     llvm::SmallVectorImpl<const Stmt *> &Loops) {
  if (!S)
    return;
  if (const auto *L = dyn_cast<LambdaExpr>(S)) {
    // The captures are evaluated here; the body runs elsewhere and is a
    // function of its own.
    for (const Expr *Init : L->capture_inits())
      collect(Init, Loops);
    return;
  }
  if (const auto *R = dyn_cast<ReturnStmt>(S))
    Returns.push_back(R);
  if (const auto *E = dyn_cast<Expr>(S)) {
    if (E->isTypeDependent() || E->isValueDependent())
      return;
    if (const auto *C = dyn_cast<CallExpr>(E)) {
      Calls.push_back(C);
      if (auto H = matchHandleOp(C, TU.Models)) {
        HandleUse U;
        U.Call = C;
        U.Kind = H->Kind;
        U.Target = handleTarget(H->Object, U.Element);
        Uses.push_back(std::move(U));
      }
    }
    if (auto Site = matchSpawn(E, TU.Models)) {
      Spawn X;
      X.Site = *Site;
      X.Loops.assign(Loops.rbegin(), Loops.rend());
      List.push_back(std::move(X));
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

std::optional<ObjectKey> Spawns::handleTarget(const Expr *Object,
                                              bool &Element) const {
  Element = false;
  if (!Object || !Resolver)
    return std::nullopt;
  const Expr *O = Object->IgnoreParenImpCasts();
  // for (auto &t : workers) t.join();
  if (const auto *DR = dyn_cast<DeclRefExpr>(O)) {
    for (const Stmt *A = PM->getParent(O); A; A = PM->getParent(A))
      if (const auto *R = dyn_cast<CXXForRangeStmt>(A))
        if (R->getLoopVariable() == DR->getDecl()) {
          Element = true;
          return Resolver->keyOf(R->getRangeInit());
        }
  }
  // workers[k].join(), workers.back().detach()
  const Expr *Base = nullptr;
  if (const auto *Sub = dyn_cast<CXXOperatorCallExpr>(O);
      Sub && Sub->getOperator() == OO_Subscript && Sub->getNumArgs() == 2)
    Base = Sub->getArg(0);
  else if (const auto *MC = dyn_cast<CXXMemberCallExpr>(O);
           MC && isElementAccess(MC->getMethodDecl(), TU.Models))
    Base = MC->getImplicitObjectArgument();
  else if (const auto *AS = dyn_cast<ArraySubscriptExpr>(O))
    Base = AS->getBase();
  if (Base) {
    Element = true;
    return Resolver->keyOf(Base);
  }
  return Resolver->keyOf(O);
}

void Spawns::resolveFate(Spawn &S) {
  const SpawnModel *M = S.Site.Model;
  const ModelSet &Models = TU.Models;
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
    if (S.Site.Started) {
      // `worker.start()`: the object is the handle, already where it lives.
      // Followed when it is a local variable or a member of this held by
      // value; through a pointer or a reference (a parent QObject's child,
      // a thread deleting itself when it finishes) its owner is not seen.
      const Expr *O = S.Site.Started->IgnoreParenImpCasts();
      const ValueDecl *VD = valueHolder(O);
      const auto *Local = dyn_cast_or_null<VarDecl>(VD);
      if (!VD || (Local && !Local->hasLocalStorage()))
        return;
      std::optional<ObjectKey> K = Resolver->keyOf(O);
      bool OwnMember = K && K->ThisBased && K->Path.empty();
      if (!K || (!Local && !OwnMember)) // `o.w_`: o's owner decides
        return;
      S.Storage = std::move(K);
      S.Fate = HandleFate::Stored;
      S.FateSite = MC;
      S.Anchor = MC;
      S.StorageDecl = S.Storage->Root;
      S.Local = Local;
      S.Member = OwnMember ? dyn_cast<FieldDecl>(VD) : nullptr;
      return;
    }
    if (llvm::is_contained(M->Methods, Name)) {
      S.IsPoolTask = true;
      S.DestructorJoins = false; // a pool's future does not wait
    } else {
      // workers.emplace_back(callable)
      S.Fate = HandleFate::InContainer;
      S.InContainer = true;
      S.FateSite = MC;
      S.Anchor = MC;
      S.Member = thisMember(MC->getImplicitObjectArgument());
      S.Storage = Resolver->keyOf(MC->getImplicitObjectArgument());
      S.StorageDecl = S.Storage ? S.Storage->Root : nullptr;
      if (!S.Storage) {
        S.Fate = HandleFate::Unknown;
        S.InContainer = false;
      }
      return;
    }
  } else if (!M->Function.empty() && M->Returns.empty()) {
    S.Fate = HandleFate::NoHandle; // pthread_create(&tid, ...)
    return;
  }

  const Stmt *Cur = E;
  const Stmt *P = PM->getParent(Cur);
  // `p.reset(new std::thread(f))`: the smart pointer that adopts it.
  const CXXMemberCallExpr *Adopt = nullptr;
  while (P) {
    if (isValueWrapper(P)) {
      Cur = P;
      P = PM->getParent(Cur);
      continue;
    }
    // `new std::thread(f)` is followed only when a smart pointer adopts
    // it, and then as the pointer: its construction from the new
    // (`shared_ptr<thread> p(new thread(f))`), or a member call of the
    // pointer taking it (`p.reset(new thread(f))`).
    const auto *NE = dyn_cast<CXXNewExpr>(P);
    if (!NE)
      break;
    const Stmt *Q = PM->getParent(NE);
    while (isa_and_nonnull<ImplicitCastExpr, ParenExpr>(Q))
      Q = PM->getParent(Q);
    if (const auto *CE = dyn_cast_or_null<CXXConstructExpr>(Q);
        CE && CE->getNumArgs() >= 1 && isSmartPointer(CE->getType())) {
      Cur = CE;
      P = PM->getParent(Cur);
      continue;
    }
    if (const auto *MC = dyn_cast_or_null<CXXMemberCallExpr>(Q);
        MC && MC->getNumArgs() == 1 &&
        isSmartPointer(MC->getImplicitObjectArgument()->getType())) {
      Adopt = MC;
      break;
    }
    return; // a raw pointer: who deletes it is not followed
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
  if (isa_and_nonnull<ReturnStmt>(P)) {
    S.Fate = HandleFate::Returned;
    S.FateSite = E;
    return;
  }
  if (!P || (!isa<Expr>(P) && !isa<DeclStmt>(P))) {
    // The value is discarded: a pool task runs later, a temporary handle
    // is destroyed at the end of the statement.
    S.Fate = S.IsPoolTask ? HandleFate::Discarded : HandleFate::Destroyed;
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
          S.Anchor = DS;
          S.Local = V;
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
    // workers.push_back(std::thread(f))
    if (isContainerInsert(MC, Models)) {
      S.Storage = Resolver->keyOf(MC->getImplicitObjectArgument());
      S.Anchor = MC;
      S.Member = thisMember(MC->getImplicitObjectArgument());
      if (S.Storage) {
        S.Fate = HandleFate::InContainer;
        S.InContainer = true;
        S.StorageDecl = S.Storage->Root;
        S.FateSite = MC;
      }
    }
    return;
  }
  const Expr *LHS = nullptr;
  const Expr *Assign = nullptr;
  if (Adopt) {
    LHS = Adopt->getImplicitObjectArgument();
    Assign = Adopt;
  } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(P)) {
    if (Op->getOperator() == OO_Equal && Op->getNumArgs() == 2 &&
        SameExpr(Op->getArg(1))) {
      LHS = Op->getArg(0);
      Assign = Op;
    }
  } else if (const auto *BO = dyn_cast<BinaryOperator>(P)) {
    // Pointers and futures assigned by a built-in `=`.
    if (BO->getOpcode() == BO_Assign && SameExpr(BO->getRHS())) {
      LHS = BO->getLHS();
      Assign = BO;
    }
  }
  if (!LHS)
    return;
  S.Anchor = Assign;
  S.Member = thisMember(LHS);
  if (const auto *DR = dyn_cast<DeclRefExpr>(stripTemporaries(LHS)))
    if (isAutomaticObject(DR->getDecl()))
      S.Local = cast<VarDecl>(DR->getDecl());
  const Expr *L = LHS->IgnoreParenImpCasts();
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
    S.InContainer = Element;
    S.IntoSlot = Element;
    S.StorageDecl = S.Storage->Root;
    S.FateSite = Assign;
  }
}

void Spawns::followVariable(Spawn &S, const VarDecl *V) {
  const SourceManager &SM = TU.AST.getSourceManager();
  const ModelSet &Models = TU.Models;
  SourceLocation After = S.Site.Expr->getEndLoc();
  auto RefersToV = [&](const Expr *A) {
    const Expr *X = stripWrappers(A);
    const auto *DR = dyn_cast_or_null<DeclRefExpr>(X);
    return DR && DR->getDecl() == V;
  };
  // `return t;` ends the function: the caller owns the handle. The first
  // return of V after the spawn (and before Loc, when valid).
  auto ReturnedBefore = [&](SourceLocation Loc) -> const ReturnStmt * {
    for (const ReturnStmt *R : Returns)
      if (R->getRetValue() && RefersToV(R->getRetValue()) &&
          SM.isBeforeInTranslationUnit(After, R->getBeginLoc()) &&
          (Loc.isInvalid() ||
           SM.isBeforeInTranslationUnit(R->getBeginLoc(), Loc)))
        return R;
    return nullptr;
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
          S.InContainer = Element;
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
    if (const ReturnStmt *R = ReturnedBefore(C->getBeginLoc())) {
      S.Fate = HandleFate::Returned;
      S.FateSite = R->getRetValue();
      return;
    }
    if (isContainerInsert(C, Models))
      if (auto K = Resolver->keyOf(
              cast<CXXMemberCallExpr>(C)->getImplicitObjectArgument())) {
        S.Fate = HandleFate::InContainer;
        S.InContainer = true;
        S.Storage = K;
        S.StorageDecl = K->Root;
        S.FateSite = C;
        return;
      }
    // Handed to code we do not follow.
    S.Fate = HandleFate::Unknown;
    return;
  }
  if (const ReturnStmt *R = ReturnedBefore(SourceLocation())) {
    S.Fate = HandleFate::Returned;
    S.FateSite = R->getRetValue();
  }
}

void Spawns::matchLaterUses(Spawn &S) {
  if (!S.Storage || S.Fate == HandleFate::Unknown ||
      S.Fate == HandleFate::Returned)
    return;
  const SourceManager &SM = TU.AST.getSourceManager();
  SourceLocation After = S.Site.Expr->getEndLoc();
  bool Container = S.InContainer;
  for (const HandleUse &U : Uses) {
    if (!U.Target || !(*U.Target == *S.Storage) || U.Element != Container)
      continue;
    if (!SM.isBeforeInTranslationUnit(After, U.Call->getBeginLoc()))
      continue;
    if (U.Kind == HandleOpKind::Join) {
      if (!S.JoinSite)
        S.JoinSite = U.Call;
      continue;
    }
    // (A detach of a variable is already found while following it.)
    if (S.Fate == HandleFate::Stored || S.Fate == HandleFate::InContainer) {
      S.Fate = HandleFate::Detached;
      S.FateSite = U.Call;
    }
  }
}

} // namespace tether
