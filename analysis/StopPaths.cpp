#include "StopPaths.h"
#include "ModelMatch.h"
#include "ObjectKey.h"
#include "ObjectWrites.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/StringExtras.h"

#include <map>

using namespace clang;

namespace tether {

const char *stopDriverName(StopDriver D) {
  switch (D) {
  case StopDriver::TokenQuery: return "stop-token query";
  case StopDriver::SourceQuery: return "stop-source query";
  case StopDriver::Interruption: return "interruption point";
  case StopDriver::StopFlag: return "stop flag";
  case StopDriver::ChannelClose: return "channel close";
  case StopDriver::ChannelRange: return "channel range";
  case StopDriver::ReceivedValue: return "received value";
  case StopDriver::SharedState: return "shared state";
  case StopDriver::Bounded: return "bounded";
  case StopDriver::Invariant: return "invariant";
  }
  return "?";
}

namespace {

bool contains(const std::vector<std::string> &V, llvm::StringRef S) {
  for (const auto &X : V)
    if (X == S)
      return true;
  return false;
}

// Names that mark a flag as a stop signal.
bool stopName(llvm::StringRef N) {
  std::string L = N.lower();
  static const char *Words[] = {"stop",    "running",  "done",     "shutdown",
                                "shut_down", "quit",   "exit",     "alive",
                                "cancel",  "terminat", "finish",   "abort",
                                "halt",    "interrupt", "closed",  "closing",
                                "keep_going", "keepgoing", "active", "kill"};
  for (const char *W : Words)
    if (llvm::StringRef(L).contains(W))
      return true;
  return false;
}

const ValueDecl *declOf(const Expr *E) {
  if (!E)
    return nullptr;
  E = E->IgnoreParenImpCasts();
  if (const auto *ME = dyn_cast<MemberExpr>(E))
    return ME->getMemberDecl();
  if (const auto *DR = dyn_cast<DeclRefExpr>(E))
    return DR->getDecl();
  return nullptr;
}

bool isBoolish(QualType T, const ModelSet &Models) {
  if (T.isNull())
    return false;
  return T.getNonReferenceType()->isBooleanType() || isAtomicBoolType(T, Models);
}

// Writes to flags in the TU: which ones are written by a destructor or a
// function whose name marks it as a stop path (`stop()`, `shutdown()`).
class WriteIndexer : public RecursiveASTVisitor<WriteIndexer> {
public:
  WriteIndexer(llvm::DenseSet<const Decl *> &Marked, const ModelSet &Models)
      : Marked(Marked), Models(Models) {}
  bool shouldVisitLambdaBodies() const { return true; }

  bool TraverseFunctionDecl(FunctionDecl *FD) { return inFn(FD, [&] {
    return RecursiveASTVisitor::TraverseFunctionDecl(FD); }); }
  bool TraverseCXXMethodDecl(CXXMethodDecl *FD) { return inFn(FD, [&] {
    return RecursiveASTVisitor::TraverseCXXMethodDecl(FD); }); }
  bool TraverseCXXDestructorDecl(CXXDestructorDecl *FD) { return inFn(FD, [&] {
    return RecursiveASTVisitor::TraverseCXXDestructorDecl(FD); }); }

  // Assignments and the atomics' writes (analysis/ObjectWrites).
  bool VisitExpr(Expr *E) {
    if (std::optional<ObjectWrite> W = objectWriteOf(E, Models))
      write(W->Object);
    return true;
  }

private:
  template <typename F> bool inFn(FunctionDecl *FD, F Fn) {
    bool Outer = Marking;
    Marking = isa<CXXDestructorDecl>(FD) ||
              (FD->getIdentifier() && stopName(FD->getName()));
    bool R = Fn();
    Marking = Outer;
    return R;
  }
  void write(const Expr *E) {
    if (!Marking)
      return;
    if (const ValueDecl *D = declOf(E))
      Marked.insert(canonicalDecl(D));
  }
  llvm::DenseSet<const Decl *> &Marked;
  const ModelSet &Models;
  bool Marking = false;
};

StopDriver strongest(StopDriver A, StopDriver B) { return A < B ? A : B; }

bool isLoopStmt(const Stmt *S) {
  return isa<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt>(S);
}

bool within(const Stmt *Outer, SourceLocation L, const SourceManager &SM) {
  SourceRange R = Outer->getSourceRange();
  if (R.isInvalid() || L.isInvalid())
    return false;
  L = SM.getExpansionLoc(L);
  SourceLocation B = SM.getExpansionLoc(R.getBegin()),
                 E = SM.getExpansionLoc(R.getEnd());
  return !SM.isBeforeInTranslationUnit(L, B) &&
         !SM.isBeforeInTranslationUnit(E, L);
}

bool containsCall(const Stmt *S) {
  if (!S || isa<LambdaExpr>(S))
    return false;
  if (const auto *C = dyn_cast<CallExpr>(S)) {
    const FunctionDecl *FD = C->getDirectCallee();
    // std::move / std::forward are not value sources.
    if (!isLanguageCast(FD))
      return true;
  }
  if (const auto *CE = dyn_cast<CXXConstructExpr>(S))
    if (CE->getNumArgs() > 0 && !CE->getConstructor()->isCopyOrMoveConstructor())
      for (const Expr *A : CE->arguments())
        if (containsCall(A))
          return true;
  for (const Stmt *C : S->children())
    if (containsCall(C))
      return true;
  return false;
}

} // namespace

struct StopPaths::Impl {
  ASTContext &AST;
  const ModelSet &Models;
  bool Indexed = false;
  llvm::DenseSet<const Decl *> MarkedWrites;
  std::vector<std::string> InterruptionPoints;
  std::map<const FunctionDecl *, std::unique_ptr<ParentMap>> Parents;
  std::map<std::pair<const Stmt *, const VarDecl *>, StopDriver> LocalCache;

  Impl(ASTContext &AST, const ModelSet &Models) : AST(AST), Models(Models) {
    for (const ApiModel &M : Models.models())
      for (const std::string &P : M.Cancellation.InterruptionPoints)
        InterruptionPoints.push_back(P);
  }

  void index() {
    if (Indexed)
      return;
    Indexed = true;
    WriteIndexer W(MarkedWrites, Models);
    W.TraverseDecl(AST.getTranslationUnitDecl());
  }

  ParentMap &parents(const FunctionDecl *Fn) {
    auto &P = Parents[Fn];
    if (!P)
      P = std::make_unique<ParentMap>(const_cast<Stmt *>(Fn->getBody()));
    return *P;
  }
};

StopPaths::StopPaths(ASTContext &AST, const ModelSet &Models)
    : P(std::make_unique<Impl>(AST, Models)) {}
StopPaths::~StopPaths() = default;

bool StopPaths::isTokenType(QualType T) const {
  const CXXRecordDecl *RD = designatedRecord(T);
  return RD && P->Models.cancelTokenForType(modelName(RD));
}

bool StopPaths::isSourceType(QualType T) const {
  const CXXRecordDecl *RD = designatedRecord(T);
  return RD && P->Models.cancelSourceForType(modelName(RD));
}

bool StopPaths::isStopFlag(const ValueDecl *D) const {
  if (!D || !isBoolish(D->getType(), P->Models))
    return false;
  if (D->getType().isConstQualified() && !isAtomicBoolType(D->getType(), P->Models))
    return false;
  if (const auto *VD = dyn_cast<VarDecl>(D))
    if (VD->isConstexpr())
      return false;
  if (D->getIdentifier() && stopName(D->getName()))
    return true;
  P->index();
  return P->MarkedWrites.contains(canonicalDecl(D));
}

// Whether E reads something that is not the reading function's own value:
// a member through `this` or a pointer, a global, a static, a reference, a
// variable captured by reference.
static bool sharedRead(const Expr *E) {
  E = E->IgnoreParenImpCasts();
  if (const auto *ME = dyn_cast<MemberExpr>(E)) {
    if (ME->isArrow())
      return true;
    const Expr *Base = ME->getBase()->IgnoreParenImpCasts();
    if (isa<CXXThisExpr>(Base))
      return true;
    if (isa<MemberExpr, DeclRefExpr>(Base))
      return sharedRead(Base);
    return true; // *p, operator->(), a call's result
  }
  if (const auto *DR = dyn_cast<DeclRefExpr>(E)) {
    const auto *VD = dyn_cast<VarDecl>(DR->getDecl());
    if (!VD)
      return false;
    if (VD->hasGlobalStorage() || VD->getType()->isReferenceType())
      return true;
    // A lambda's capture: by copy it is a const copy (non-mutable lambda),
    // by reference it is the enclosing function's variable.
    if (DR->refersToEnclosingVariableOrCapture())
      return !DR->getType().isConstQualified();
    return false;
  }
  return false;
}

std::optional<StopQuery> StopPaths::matchStopQuery(const Expr *E) const {
  if (!E)
    return std::nullopt;
  while (true) {
    E = E->IgnoreParenImpCasts();
    if (const auto *EWC = dyn_cast<ExprWithCleanups>(E)) {
      E = EWC->getSubExpr();
      continue;
    }
    if (const auto *UO = dyn_cast<UnaryOperator>(E);
        UO && UO->getOpcode() == UO_LNot) {
      E = UO->getSubExpr();
      continue;
    }
    break;
  }
  const ModelSet &Models = P->Models;
  if (auto Op = matchChanOp(E, Models)) {
    if (isReceiveOp(Op->Kind) || Op->Kind == ChanOpKind::IsClosed ||
        Op->Kind == ChanOpKind::IsOpen)
      return StopQuery{StopDriver::ChannelClose, E, nullptr};
    return std::nullopt;
  }
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E)) {
    const CXXMethodDecl *MD = MC->getMethodDecl();
    const Expr *Obj = MC->getImplicitObjectArgument();
    if (!MD || !Obj)
      return std::nullopt;
    std::string N = MD->getNameAsString();
    if (const CXXRecordDecl *RD = designatedRecord(Obj->getType())) {
      std::string Q = modelName(RD);
      if (const CancelTokenModel *T = Models.cancelTokenForType(Q))
        if (contains(T->Query, N))
          return StopQuery{StopDriver::TokenQuery, E, nullptr};
      if (const CancelSourceModel *S = Models.cancelSourceForType(Q))
        if (contains(S->Query, N))
          return StopQuery{StopDriver::SourceQuery, E, nullptr};
    }
    if (isAtomicBoolType(Obj->getType(), Models) &&
        (Models.isAtomicRead(N) || isa<CXXConversionDecl>(MD))) {
      if (sharedRead(Obj))
        if (const ValueDecl *D = declOf(Obj); D && isStopFlag(D))
          return StopQuery{StopDriver::StopFlag, E, D};
      // Through a pointer or a smart pointer (`*stop`, `stop->load()`,
      // `flag_->load()`): the flag lives elsewhere, so its name decides.
      const Expr *O = Obj->IgnoreParenImpCasts();
      const Expr *Inner = nullptr;
      if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(O);
          Op && (Op->getOperator() == OO_Star ||
                 Op->getOperator() == OO_Arrow) && Op->getNumArgs() >= 1)
        Inner = Op->getArg(0);
      else if (const auto *UO = dyn_cast<UnaryOperator>(O);
               UO && UO->getOpcode() == UO_Deref)
        Inner = UO->getSubExpr();
      else if (O->getType()->isPointerType())
        Inner = O;
      if (const ValueDecl *D = declOf(Inner);
          D && D->getIdentifier() && stopName(D->getName()))
        return StopQuery{StopDriver::StopFlag, E, D};
    }
    return std::nullopt;
  }
  if (const auto *C = dyn_cast<CallExpr>(E)) {
    if (const FunctionDecl *FD = C->getDirectCallee())
      if (contains(P->InterruptionPoints, modelName(FD)))
        return StopQuery{StopDriver::Interruption, E, nullptr};
    return std::nullopt;
  }
  if (isa<MemberExpr, DeclRefExpr>(E) && isBoolish(E->getType(), P->Models) &&
      sharedRead(E))
    if (const ValueDecl *D = declOf(E); D && isStopFlag(D))
      return StopQuery{StopDriver::StopFlag, E, D};
  return std::nullopt;
}

static void findQueries(const StopPaths &SP, const Stmt *S, int Depth,
                        std::optional<StopQuery> &Best) {
  if (!S || isa<LambdaExpr>(S))
    return;
  if (const auto *E = dyn_cast<Expr>(S)) {
    if (auto Q = SP.matchStopQuery(E)) {
      if (!Best || Q->Kind < Best->Kind)
        Best = Q;
      return;
    }
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E))
      if (Depth < 1 && MC->getImplicitObjectArgument() &&
          isa<CXXThisExpr>(MC->getImplicitObjectArgument()->IgnoreParenImpCasts()))
        if (const CXXMethodDecl *MD = MC->getMethodDecl())
          if (const FunctionDecl *Def = MD->getDefinition())
            findQueries(SP, Def->getBody(), Depth + 1, Best);
  }
  for (const Stmt *C : S->children())
    findQueries(SP, C, Depth, Best);
}

std::optional<StopQuery> StopPaths::findStopQuery(const Stmt *S) const {
  std::optional<StopQuery> Best;
  findQueries(*this, S, 0, Best);
  return Best;
}

// ---------------------------------------------------------------------------
// Locals: what changes a local of Fn inside Loop.

namespace {

struct LocalWrites {
  const VarDecl *VD;
  const Stmt *Loop;
  const SourceManager &SM;
  StopDriver Result = StopDriver::Invariant;

  bool refersTo(const Expr *E) const {
    E = stripWrappers(E);
    if (const auto *ME = dyn_cast<MemberExpr>(E)) // v.field
      return !ME->isArrow() && refersTo(ME->getBase());
    const auto *DR = dyn_cast<DeclRefExpr>(E);
    return DR && DR->getDecl() == VD;
  }
  void set(StopDriver D) { Result = strongest(Result, D); }
  StopDriver valueOf(const Expr *RHS) const {
    return RHS && containsCall(RHS) ? StopDriver::ReceivedValue
                                    : StopDriver::Bounded;
  }

  // Is the argument of a call an lvalue the callee may write?
  static bool writableArg(const Expr *Arg, const FunctionDecl *Callee,
                          unsigned ParamIdx) {
    bool Decayed = false;
    if (const auto *ICE = dyn_cast<ImplicitCastExpr>(Arg)) {
      if (ICE->getCastKind() == CK_LValueToRValue)
        return false;
      Decayed = ICE->getCastKind() == CK_ArrayToPointerDecay;
    }
    if (!Callee || ParamIdx >= Callee->getNumParams())
      return Decayed || !Arg->isPRValue();
    QualType T = Callee->getParamDecl(ParamIdx)->getType();
    // An array handed to a pointer parameter: `read(fd, buf, n)`.
    if (Decayed)
      if (const auto *PT = T->getAs<PointerType>())
        return !PT->getPointeeType().isConstQualified();
    if (const auto *R = T->getAs<ReferenceType>())
      return !R->getPointeeType().isConstQualified();
    return false;
  }

  void walk(const Stmt *S, bool InLoop) {
    if (!S)
      return;
    if (S == Loop)
      InLoop = true;
    if (const auto *L = dyn_cast<LambdaExpr>(S)) {
      for (const LambdaCapture &C : L->captures())
        if (C.capturesVariable() && C.getCapturedVar() == VD &&
            C.getCaptureKind() == LCK_ByRef)
          set(StopDriver::SharedState);
      return;
    }
    if (const auto *UO = dyn_cast<UnaryOperator>(S)) {
      if (UO->getOpcode() == UO_AddrOf && refersTo(UO->getSubExpr()))
        set(InLoop ? StopDriver::ReceivedValue : StopDriver::SharedState);
      else if (InLoop && UO->isIncrementDecrementOp() &&
               refersTo(UO->getSubExpr()))
        set(StopDriver::Bounded);
    } else if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
      if (InLoop && BO->isAssignmentOp() && refersTo(BO->getLHS()))
        set(valueOf(BO->getRHS()));
    } else if (const auto *DS = dyn_cast<DeclStmt>(S)) {
      for (const Decl *D : DS->decls())
        if (D == VD && InLoop)
          set(VD->getInit() ? valueOf(VD->getInit())
                            : StopDriver::ReceivedValue);
      // A reference bound to the local can write it from anywhere.
      for (const Decl *D : DS->decls())
        if (const auto *Other = dyn_cast<VarDecl>(D))
          if (Other != VD && Other->getType()->isReferenceType() &&
              !Other->getType().getNonReferenceType().isConstQualified() &&
              Other->getInit() && refersTo(Other->getInit()))
            set(StopDriver::SharedState);
    } else if (const auto *Call = dyn_cast<CallExpr>(S)) {
      const FunctionDecl *Callee = Call->getDirectCallee();
      unsigned First = 0;
      if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call)) {
        const CXXMethodDecl *MD = MC->getMethodDecl();
        if (MC->getImplicitObjectArgument() &&
            refersTo(MC->getImplicitObjectArgument()) && MD &&
            !MD->isConst())
          set(InLoop ? StopDriver::ReceivedValue : StopDriver::SharedState);
      } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call)) {
        if (isa_and_nonnull<CXXMethodDecl>(Callee)) {
          First = 1;
          const auto *MD = cast<CXXMethodDecl>(Callee);
          if (Op->getNumArgs() > 0 && refersTo(Op->getArg(0)) &&
              !MD->isConst())
            set(InLoop ? (Op->isAssignmentOp() && Op->getNumArgs() > 1
                              ? valueOf(Op->getArg(1))
                              : StopDriver::ReceivedValue)
                       : StopDriver::SharedState);
        }
      }
      for (unsigned I = First; I < Call->getNumArgs(); ++I) {
        const Expr *A = Call->getArg(I);
        if (refersTo(A) && writableArg(A->IgnoreParens(), Callee, I - First))
          set(InLoop ? StopDriver::ReceivedValue : StopDriver::SharedState);
      }
    }
    for (const Stmt *C : S->children())
      walk(C, InLoop);
  }
};

} // namespace

static StopDriver localDriver(StopPaths::Impl &P, const VarDecl *VD,
                              const Stmt *Loop, const FunctionDecl *Fn) {
  auto Key = std::make_pair(Loop, VD);
  auto It = P.LocalCache.find(Key);
  if (It != P.LocalCache.end())
    return It->second;
  LocalWrites W{VD, Loop, P.AST.getSourceManager()};
  W.walk(Fn->getBody(), false);
  // A variable declared inside the loop is fresh in every iteration.
  P.LocalCache[Key] = W.Result;
  return W.Result;
}

namespace {
struct Classifier {
  const StopPaths &SP;
  StopPaths::Impl &P;
  const Stmt *Loop;
  const FunctionDecl *Fn;
  StopQuery Best{StopDriver::Invariant, nullptr, nullptr};

  void take(StopDriver D, const Expr *E, const ValueDecl *Flag = nullptr) {
    if (D < Best.Kind)
      Best = StopQuery{D, E, Flag};
  }

  void walk(const Stmt *S, int Depth) {
    if (!S || isa<LambdaExpr>(S))
      return;
    const auto *E = dyn_cast<Expr>(S);
    if (!E) {
      for (const Stmt *C : S->children())
        walk(C, Depth);
      return;
    }
    if (auto Q = SP.matchStopQuery(E)) {
      take(Q->Kind, Q->Expr, Q->Flag);
      return;
    }
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E)) {
      const Expr *Obj = MC->getImplicitObjectArgument();
      if (Obj && isa<CXXThisExpr>(Obj->IgnoreParenImpCasts())) {
        // `while (!stopping())`: the method reads the object's state.
        std::optional<StopQuery> Q;
        if (const CXXMethodDecl *MD = MC->getMethodDecl())
          if (const FunctionDecl *Def = MD->getDefinition())
            Q = SP.findStopQuery(Def->getBody());
        if (Q)
          take(Q->Kind, E, Q->Flag);
        else
          take(StopDriver::SharedState, E);
        for (const Expr *A : MC->arguments())
          walk(A, Depth);
        return;
      }
      // Methods of other objects: the object decides (a local received in
      // the loop, a member, …); arguments too.
      for (const Stmt *C : E->children())
        walk(C, Depth);
      return;
    }
    if (const auto *C = dyn_cast<CallExpr>(E);
        C && !isa<CXXOperatorCallExpr>(E)) {
      const FunctionDecl *FD = C->getDirectCallee();
      if (!FD || !FD->isInStdNamespace()) {
        // A free function: its result comes from outside the loop.
        std::optional<StopQuery> Q;
        if (FD && Depth < 1)
          if (const FunctionDecl *Def = FD->getDefinition())
            Q = SP.findStopQuery(Def->getBody());
        if (Q)
          take(Q->Kind, E, Q->Flag);
        else
          take(StopDriver::ReceivedValue, E);
      }
      for (const Expr *A : C->arguments())
        walk(A, Depth);
      return;
    }
    if (isa<CXXThisExpr>(E)) {
      take(StopDriver::SharedState, E);
      return;
    }
    if (isa<MemberExpr>(E) || isa<DeclRefExpr>(E)) {
      if (sharedRead(E)) {
        const ValueDecl *D = declOf(E);
        take(D && SP.isStopFlag(D) ? StopDriver::StopFlag
                                   : StopDriver::SharedState,
             E, D);
        return;
      }
      if (const auto *ME = dyn_cast<MemberExpr>(E)) {
        walk(ME->getBase(), Depth);
        return;
      }
      const auto *DR = cast<DeclRefExpr>(E);
      if (const auto *VD = dyn_cast<VarDecl>(DR->getDecl()))
        take(localDriver(P, VD, Loop, Fn), E);
      return;
    }
    if (const auto *UO = dyn_cast<UnaryOperator>(E);
        UO && UO->getOpcode() == UO_Deref) {
      take(StopDriver::SharedState, E);
      return;
    }
    // `*p` / `p->` on a smart pointer: what it points to is shared.
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
        Op && (Op->getOperator() == OO_Star || Op->getOperator() == OO_Arrow) &&
        Op->getNumArgs() == 1) {
      take(StopDriver::SharedState, E);
      return;
    }
    for (const Stmt *Child : E->children())
      walk(Child, Depth);
  }
};
} // namespace

StopQuery StopPaths::classify(const Expr *Cond, const Stmt *Loop,
                              const FunctionDecl *Fn) const {
  Classifier C{*this, *P, Loop, Fn};
  if (Cond && Fn && Fn->getBody())
    C.walk(Cond, 0);
  return C.Best;
}

// ---------------------------------------------------------------------------
// Exits.

namespace {
struct ExitFinder {
  const StopPaths &SP;
  StopPaths::Impl &P;
  const Stmt *Loop;
  const FunctionDecl *Fn;
  ParentMap &PM;
  std::vector<LoopExit> Out;

  bool hasReceive(const Stmt *S) const {
    if (!S || isa<LambdaExpr>(S))
      return false;
    if (const auto *E = dyn_cast<Expr>(S))
      if (auto Op = matchChanOp(E, P.Models); Op && isReceiveOp(Op->Kind))
        return true;
    for (const Stmt *C : S->children())
      if (hasReceive(C))
        return true;
    return false;
  }

  // The driver of an exit: the conditions on the path from Loop to it.
  LoopExit guarded(const Stmt *Exit, StopDriver Base = StopDriver::Invariant,
                   const Expr *BaseExpr = nullptr) {
    LoopExit X{Exit, StopDriver::Invariant, nullptr};
    bool Guarded = false;
    auto Take = [&](StopDriver D, const Expr *E) {
      Guarded = true;
      if (D < X.Driver || (D == X.Driver && !X.DrivenBy)) {
        X.Driver = D;
        X.DrivenBy = E;
      }
    };
    auto TakeCond = [&](const Expr *Cond) {
      if (!Cond)
        return;
      StopQuery Q = SP.classify(Cond, Loop, Fn);
      Take(Q.Kind, Q.Expr ? Q.Expr : Cond);
    };
    if (BaseExpr || Base != StopDriver::Invariant)
      Take(Base, BaseExpr);
    const Stmt *Child = Exit;
    for (const Stmt *A = PM.getParent(Exit); A; Child = A, A = PM.getParent(A)) {
      if (const auto *If = dyn_cast<IfStmt>(A)) {
        if (Child == If->getThen() || Child == If->getElse()) {
          TakeCond(If->getCond());
          if (const VarDecl *CV = If->getConditionVariable())
            if (CV->getInit())
              TakeCond(CV->getInit());
        }
      } else if (const auto *W = dyn_cast<WhileStmt>(A)) {
        if (Child == W->getBody())
          TakeCond(W->getCond());
      } else if (const auto *F = dyn_cast<ForStmt>(A)) {
        if (Child == F->getBody())
          TakeCond(F->getCond());
      } else if (const auto *RF = dyn_cast<CXXForRangeStmt>(A)) {
        if (Child == RF->getBody() && A != Loop)
          TakeCond(RF->getRangeInit());
      } else if (const auto *Sw = dyn_cast<SwitchStmt>(A)) {
        TakeCond(Sw->getCond());
      } else if (const auto *CO = dyn_cast<ConditionalOperator>(A)) {
        if (Child != CO->getCond())
          TakeCond(CO->getCond());
      } else if (const auto *BO = dyn_cast<BinaryOperator>(A)) {
        if (BO->isLogicalOp() && Child == BO->getRHS())
          TakeCond(BO->getLHS());
      } else if (const auto *Catch = dyn_cast<CXXCatchStmt>(A)) {
        const auto *Try = dyn_cast_or_null<CXXTryStmt>(PM.getParent(Catch));
        Take(Try && hasReceive(Try->getTryBlock())
                 ? StopDriver::ChannelClose
                 : StopDriver::ReceivedValue,
             nullptr);
      }
      if (A == Loop)
        break;
    }
    if (!Guarded)
      X.Driver = StopDriver::Bounded; // leaves the loop by itself
    return X;
  }

  void walk(const Stmt *S, int BreakDepth, int TryDepth) {
    if (!S || isa<LambdaExpr>(S) || isa<BlockExpr>(S))
      return;
    if (isa<BreakStmt>(S)) {
      if (BreakDepth == 0)
        Out.push_back(guarded(S));
      return;
    }
    if (isa<ReturnStmt>(S) || isa<CoreturnStmt>(S)) {
      Out.push_back(guarded(S));
      // fall through: the returned expression may hold more exits
    } else if (const auto *G = dyn_cast<GotoStmt>(S)) {
      const LabelStmt *L = G->getLabel() ? G->getLabel()->getStmt() : nullptr;
      if (!L || !within(Loop, L->getBeginLoc(), P.AST.getSourceManager()))
        Out.push_back(guarded(S));
      return;
    } else if (isa<CXXThrowExpr>(S)) {
      if (TryDepth == 0)
        Out.push_back(guarded(S));
    } else if (const auto *C = dyn_cast<CallExpr>(S)) {
      if (auto Q = SP.matchStopQuery(C);
          Q && Q->Kind == StopDriver::Interruption) {
        LoopExit X = guarded(S, StopDriver::Interruption, C);
        X.Driver = StopDriver::Interruption;
        X.DrivenBy = C;
        Out.push_back(X);
      } else if (const FunctionDecl *FD = C->getDirectCallee();
                 FD && FD->isNoReturn()) {
        Out.push_back(guarded(S));
      }
    }
    if (const auto *Try = dyn_cast<CXXTryStmt>(S)) {
      walk(Try->getTryBlock(), BreakDepth, TryDepth + 1);
      for (unsigned I = 0; I < Try->getNumHandlers(); ++I)
        walk(Try->getHandler(I), BreakDepth, TryDepth);
      return;
    }
    bool Nested = S != Loop && (isLoopStmt(S) || isa<SwitchStmt>(S));
    for (const Stmt *C : S->children())
      walk(C, BreakDepth + (Nested ? 1 : 0), TryDepth);
  }
};
} // namespace

std::vector<LoopExit> StopPaths::loopExits(const Stmt *Loop,
                                           const FunctionDecl *Fn) const {
  std::vector<LoopExit> Out;
  if (!Loop || !Fn || !Fn->getBody())
    return Out;
  const ModelSet &Models = P->Models;
  // The condition.
  const Expr *Cond = nullptr;
  if (const auto *W = dyn_cast<WhileStmt>(Loop))
    Cond = W->getCond();
  else if (const auto *F = dyn_cast<ForStmt>(Loop))
    Cond = F->getCond();
  else if (const auto *D = dyn_cast<DoStmt>(Loop))
    Cond = D->getCond();
  if (Cond) {
    StopQuery Q = classify(Cond, Loop, Fn);
    Out.push_back({Loop, Q.Kind, Q.Expr ? Q.Expr : Cond});
  }
  const Stmt *Body = nullptr;
  if (const auto *W = dyn_cast<WhileStmt>(Loop))
    Body = W->getBody();
  else if (const auto *F = dyn_cast<ForStmt>(Loop))
    Body = F->getBody();
  else if (const auto *D = dyn_cast<DoStmt>(Loop))
    Body = D->getBody();
  else if (const auto *RF = dyn_cast<CXXForRangeStmt>(Loop)) {
    Body = RF->getBody();
    const Expr *Init = RF->getRangeInit();
    const ChannelModel *M =
        Init ? channelModelOf(Init->getType(), Models) : nullptr;
    if (M && M->Range)
      Out.push_back({Loop, StopDriver::ChannelRange, Init});
    else
      Out.push_back({Loop, StopDriver::Bounded, Init});
  } else {
    return Out;
  }
  ParentMap &PM = P->parents(Fn);
  ExitFinder F{*this, *P, Loop, Fn, PM, {}};
  F.walk(Body, 0, 0);
  for (LoopExit &X : F.Out)
    Out.push_back(X);
  // A try around the loop in its function: an exception out of the body
  // (a receive on a closed channel that throws, an I/O error) leaves it.
  const Stmt *Child = Loop;
  for (const Stmt *A = PM.getParent(Loop); A; Child = A, A = PM.getParent(A))
    if (const auto *Try = dyn_cast<CXXTryStmt>(A);
        Try && Child == Try->getTryBlock()) {
      Out.push_back({Try,
                     F.hasReceive(Body) ? StopDriver::ChannelClose
                                        : StopDriver::ReceivedValue,
                     nullptr});
      break;
    }
  return Out;
}

std::optional<LoopExit>
StopPaths::loopHasStopExit(const Stmt *Loop, const FunctionDecl *Fn) const {
  std::optional<LoopExit> Best;
  for (const LoopExit &X : loopExits(Loop, Fn))
    if (isStopDriven(X.Driver) && (!Best || X.Driver < Best->Driver))
      Best = X;
  return Best;
}

bool StopPaths::isForeverLoop(const Stmt *Loop, const FunctionDecl *Fn) const {
  const Expr *Cond = nullptr;
  if (const auto *W = dyn_cast<WhileStmt>(Loop))
    Cond = W->getCond();
  else if (const auto *F = dyn_cast<ForStmt>(Loop)) {
    Cond = F->getCond();
    if (!Cond)
      return true;
  } else if (const auto *D = dyn_cast<DoStmt>(Loop))
    Cond = D->getCond();
  else
    return false;
  if (!Cond || Cond->isValueDependent())
    return false;
  bool Value = false;
  if (Cond->EvaluateAsBooleanCondition(Value, P->AST))
    return Value;
  return classify(Cond, Loop, Fn).Kind == StopDriver::Invariant;
}

bool StopPaths::loopCanEnd(const Stmt *Loop, const FunctionDecl *Fn) const {
  for (const LoopExit &X : loopExits(Loop, Fn))
    if (X.Driver != StopDriver::Invariant)
      return true;
  return false;
}

} // namespace tether
