#include "Facts.h"
#include "ASTHelpers.h"
#include "AnalysisContext.h"
#include "ChannelFlow.h"
#include "HandlePaths.h"
#include "LockState.h"
#include "ModelMatch.h"
#include "ObjectWrites.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Analysis/CFG.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/Statistic.h"

using namespace clang;

#define DEBUG_TYPE "tether-analysis"
ALWAYS_ENABLED_STATISTIC(NumNeverReturnsCFGs,
                         "CFGs built to decide whether a function returns");

namespace tether {

std::string FactSite::functionName() const {
  if (!In)
    return Function;
  const FunctionDecl *F = In;
  if (const auto *MD = dyn_cast<CXXMethodDecl>(F);
      MD && MD->getParent()->isLambda())
    return "lambda";
  return F->getQualifiedNameAsString();
}

bool sameObject(const ObjectKey &A, const ObjectKey &B) {
  if (A.ThisBased != B.ThisBased || A.Ret != B.Ret ||
      A.Path.size() != B.Path.size() ||
      canonicalDecl(A.Root) != canonicalDecl(B.Root))
    return false;
  for (size_t I = 0; I < A.Path.size(); ++I)
    if (canonicalDecl(A.Path[I]) != canonicalDecl(B.Path[I]))
      return false;
  return true;
}

const ObjectFact *FunctionFacts::find(llvm::ArrayRef<ObjectFact> Facts,
                                      const ObjectKey &K) {
  for (const ObjectFact &F : Facts)
    if (F.Key && sameObject(*F.Key, K))
      return &F;
  return nullptr;
}

bool FunctionFacts::hasUnnamed(llvm::ArrayRef<ObjectFact> Facts) {
  return llvm::any_of(Facts, [](const ObjectFact &F) { return !F.Key; });
}

namespace {

// Waits for another thread: not a sleep, not I/O.
bool waitsForOther(const BlockingOp &Op) {
  return Op.What != "sleep" && Op.What != "IO wait";
}

// The parameter of FD that E names (`lk`, `m`), or null.
const ParmVarDecl *ownParam(const Expr *E, const FunctionDecl *FD) {
  const auto *DR = E ? dyn_cast<DeclRefExpr>(stripWrappers(E)) : nullptr;
  const auto *P = DR ? dyn_cast<ParmVarDecl>(DR->getDecl()) : nullptr;
  return P && P->getDeclContext() == FD ? P : nullptr;
}

void addIndex(std::vector<unsigned> &L, unsigned I) {
  if (!llvm::is_contained(L, I))
    L.push_back(I);
}

bool contains(const std::vector<std::string> &V, llvm::StringRef S) {
  return llvm::is_contained(V, S.str());
}

// A write of a flag or a counter other threads test: any operation of an
// atomic (`done_.store(true)`, `pending_.fetch_sub(1)`, `++count_`), or a
// plain bool set (`stop_ = true`).
bool isFlag(const ObjectWrite &W, const ModelSet &Models) {
  if (W.Atomic)
    return isAtomicType(W.Object->IgnoreParenImpCasts()->getType(), Models);
  return W.How == ObjectWrite::Set &&
         W.Object->IgnoreParenImpCasts()->getType()->isBooleanType();
}

// The arguments of a call as the callee's parameters see them, and its
// object (null for a free function).
std::pair<llvm::SmallVector<const Expr *, 4>, const Expr *>
callArgs(const Expr *E) {
  llvm::SmallVector<const Expr *, 4> Args;
  const Expr *Object = nullptr;
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E)) {
    Object = MC->getImplicitObjectArgument();
    Args.append(MC->arg_begin(), MC->arg_end());
  } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
    const FunctionDecl *F = Op->getDirectCallee();
    unsigned First = 0;
    if (F && isa<CXXMethodDecl>(F) && Op->getNumArgs() > 0) {
      Object = Op->getArg(0);
      First = 1;
    }
    for (unsigned I = First; I < Op->getNumArgs(); ++I)
      Args.push_back(Op->getArg(I));
  } else if (const auto *C = dyn_cast<CallExpr>(E)) {
    Args.append(C->arg_begin(), C->arg_end());
  }
  return {Args, Object};
}

} // namespace

const FunctionDecl *factsCallee(const Expr *E) {
  const auto *Call = dyn_cast_or_null<CallExpr>(E);
  const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
  if (!Callee || Callee->isInStdNamespace() || Callee->getBuiltinID() ||
      Callee->isDependentContext() || inSystemHeader(Callee))
    return nullptr;
  const FunctionDecl *Def = nullptr;
  if (Callee->hasBody(Def) && Def)
    return inSystemHeader(Def) || Def->isDependentContext() ? nullptr : Def;
  return Callee->getCanonicalDecl();
}

FactsCache::FactsCache(TUContext &TU) : TU(TU) {}
FactsCache::~FactsCache() = default;

const FunctionFacts &FactsCache::get(const FunctionDecl *FD) {
  auto It = Cache.find(FD);
  const FunctionFacts &F = It != Cache.end() ? *It->second
                           : !FD->hasBody()  ? fromLinked(FD)
                                             : compute(FD);
  need(F);
  return F;
}

void FactsCache::need(const FunctionFacts &F) {
  if (!Computing.empty()) {
    FunctionFacts &C = *Computing.back();
    C.Needs.insert(F.Needs.begin(), F.Needs.end());
    C.NeedsAll = C.NeedsAll || F.NeedsAll;
  } else if (Asking) {
    Asked.insert(F.Needs.begin(), F.Needs.end());
    AskedAll = AskedAll || F.NeedsAll;
  }
}

namespace {

// Does FD name this object itself, so that it belongs in FD's facts? Its
// own locals are nobody else's business; parameters, members of `this`,
// globals and (in a lambda) captured variables are.
bool nameable(const std::optional<ObjectKey> &K, const FunctionDecl *FD) {
  if (!K || K->Ret)
    return false;
  if (K->ThisBased)
    return true;
  const auto *VD = dyn_cast_or_null<VarDecl>(K->Root);
  if (!VD)
    return false;
  if (VD->hasGlobalStorage())
    return true;
  if (isa<ParmVarDecl>(VD))
    return true; // its own, or one a lambda captured
  const DeclContext *DC = VD->getDeclContext();
  while (DC && !isa<FunctionDecl>(DC))
    DC = DC->getParent();
  return DC != FD;
}

// Maps a key of Callee's facts into the caller of Call.
std::optional<ObjectKey> mapToCaller(const ObjectKey &K,
                                     const FunctionDecl *Callee,
                                     const Expr *Call,
                                     const ObjectResolver &R, bool &Unnamed) {
  Unnamed = false;
  auto [Args, Object] = callArgs(Call);
  if (const auto *P = dyn_cast_or_null<ParmVarDecl>(K.Root); P && !K.ThisBased) {
    const auto *Owner = dyn_cast<FunctionDecl>(P->getDeclContext());
    if (Owner && Owner->getCanonicalDecl() == Callee->getCanonicalDecl()) {
      unsigned I = P->getFunctionScopeIndex();
      std::optional<ObjectKey> A =
          I < Args.size() ? R.keyOf(Args[I]) : std::nullopt;
      if (!A) {
        Unnamed = true;
        return std::nullopt;
      }
      A->Path.append(K.Path.begin(), K.Path.end());
      return A;
    }
    return K; // a parameter of an enclosing function a lambda captured
  }
  if (K.ThisBased) {
    if (!Object ||
        isa<CXXThisExpr>(Object->IgnoreParenImpCasts()))
      return K;
    std::optional<ObjectKey> O = R.keyOf(Object);
    const auto *F = dyn_cast_or_null<FieldDecl>(K.Root);
    if (!O || !F) {
      Unnamed = true;
      return std::nullopt;
    }
    O->Path.push_back(F);
    O->Path.append(K.Path.begin(), K.Path.end());
    return O;
  }
  return K; // a global, a captured variable
}

void addUnique(std::vector<ObjectFact> &L, ObjectFact F) {
  for (const ObjectFact &O : L)
    if ((!O.Key && !F.Key) || (O.Key && F.Key && sameObject(*O.Key, *F.Key)))
      return;
  L.push_back(std::move(F));
}

// The callee's object facts (F) in the caller's terms at call C: each key is
// mapped through the call; one the caller cannot name is dropped, or kept
// without a key in the list where an unnamed object still counts
// (Acquires: "some lock"). Add decides how a fact joins its list.
void mapObjectFacts(
    FunctionFacts &Out, const FunctionFacts &F, const FunctionDecl *Callee,
    const CallExpr *C, const ObjectResolver &R,
    llvm::function_ref<void(std::vector<ObjectFact> &, ObjectFact)> Add) {
  auto Map = [&](std::vector<ObjectFact> &To,
                 const std::vector<ObjectFact> &From, bool KeepUnnamed) {
    for (const ObjectFact &X : From) {
      ObjectFact M = X;
      if (X.Key) {
        bool Unnamed = false;
        M.Key = mapToCaller(*X.Key, Callee, C, R, Unnamed);
        if (!M.Key && !(Unnamed && KeepUnnamed))
          continue;
      } else if (!KeepUnnamed) {
        continue;
      }
      Add(To, std::move(M));
    }
  };
  Map(Out.Acquires, F.Acquires, true);
  Map(Out.RequestsStop, F.RequestsStop, false);
  Map(Out.WritesFlag, F.WritesFlag, false);
}

// A loop whose condition cannot become false: `for (;;)`, `while (true)`,
// `do … while (1)`. Whether something leaves it is the CFG's question.
bool constantLoop(const Stmt *S, const ASTContext &AST) {
  const Expr *Cond = nullptr;
  if (const auto *F = dyn_cast<ForStmt>(S)) {
    if (!F->getCond())
      return true;
    Cond = F->getCond();
  } else if (const auto *W = dyn_cast<WhileStmt>(S)) {
    Cond = W->getCond();
  } else if (const auto *D = dyn_cast<DoStmt>(S)) {
    Cond = D->getCond();
  }
  bool Value = false;
  return Cond && !Cond->isValueDependent() &&
         Cond->EvaluateAsBooleanCondition(Value, AST) && Value;
}

// Does any path of FD's CFG reach the exit other than by an exception?
// Paths end at `[[noreturn]]` calls (the CFG's own no-return blocks) and at
// calls Facts says do not return; a call inside a `try` block that may
// throw leads to the try's handlers (the CFG has no edge for it). When no
// path returns, the fact says why: the first call that does not return on
// the way, else the first loop with a constant condition the search went
// through.
std::optional<NeverReturnsFact> neverReturns(const FunctionDecl *FD,
                                             TUContext &TU,
                                             FactsCache &Cache) {
  Stmt *Body = FD->getBody();
  if (!Body || isa<CoroutineBodyStmt>(Body))
    return std::nullopt; // a coroutine returns at its first suspension
  CFG::BuildOptions BO;
  BO.setAllAlwaysAdd();
  std::unique_ptr<CFG> G = CFG::buildCFG(FD, Body, &TU.AST, BO);
  ++NumNeverReturnsCFGs;
  if (!G)
    return std::nullopt;
  llvm::DenseMap<const Stmt *, const CXXTryStmt *> TryOf;
  innermostTries(Body, nullptr, TryOf);
  llvm::DenseMap<const CXXTryStmt *, const CFGBlock *> Dispatch;
  for (const CFGBlock *B : *G)
    if (const auto *T = dyn_cast_or_null<CXXTryStmt>(B->getTerminatorStmt()))
      Dispatch[T] = B;

  const CFGBlock *Exit = &G->getExit();
  std::vector<const CFGBlock *> Work{&G->getEntry()};
  llvm::DenseSet<const CFGBlock *> Seen{&G->getEntry()};
  auto Push = [&](const CFGBlock *N) {
    if (N && Seen.insert(N).second)
      Work.push_back(N);
  };
  const CallExpr *Stops = nullptr;
  const Stmt *Loop = nullptr;
  while (!Work.empty()) {
    const CFGBlock *B = Work.back();
    Work.pop_back();
    if (B == Exit)
      return std::nullopt;
    bool Ends = false, Throws = false;
    for (const CFGElement &E : *B) {
      auto CS = E.getAs<CFGStmt>();
      if (!CS)
        continue;
      const Stmt *St = CS->getStmt();
      if (isa<CXXThrowExpr>(St))
        Throws = true;
      const auto *C = dyn_cast<CallExpr>(St);
      if (!C)
        continue;
      if (auto T = TryOf.find(C);
          T != TryOf.end() && HandlePaths::mayThrow(C, TU.Models))
        if (auto D = Dispatch.find(T->second); D != Dispatch.end())
          for (const CFGBlock::AdjacentBlock &H : D->second->succs())
            if (H.getReachableBlock() != Exit) // leaves by the exception
              Push(H.getReachableBlock());
      if (!Cache.returns(C)) {
        if (!Stops)
          Stops = C;
        Ends = true;
        break;
      }
    }
    if (Ends || B->hasNoReturnElement())
      continue;
    if (const Stmt *T = B->getTerminatorStmt();
        !Loop && T && isa<ForStmt, WhileStmt, DoStmt>(T) &&
        constantLoop(T, TU.AST))
      Loop = T;
    // An exception leaving the function is not a return: a throw outside
    // any try block, or one no handler of the try around it matches (the
    // dispatch block's edge to the exit).
    bool Dispatches = isa_and_nonnull<CXXTryStmt>(B->getTerminatorStmt());
    for (const CFGBlock::AdjacentBlock &Succ : B->succs()) {
      const CFGBlock *N = Succ.getReachableBlock();
      if ((Throws || Dispatches) && N == Exit)
        continue;
      Push(N);
    }
  }
  NeverReturnsFact F;
  F.At.In = FD;
  const SourceManager &SM = TU.AST.getSourceManager();
  if (Stops) {
    F.At.Op = Stops;
    const FunctionDecl *Callee = Stops->getDirectCallee();
    F.What = Callee ? "call of '" + Callee->getQualifiedNameAsString() +
                          "', which never returns"
                    : "call that never returns";
  } else {
    F.What = "endless loop";
    F.At.Where = toSourcePoint(SM, Loop ? Loop->getBeginLoc()
                                        : Body->getBeginLoc());
    F.At.Function = FD->getQualifiedNameAsString();
  }
  return F;
}

// A call through a virtual function another override may answer.
bool dispatchedVirtually(const CallExpr *C) {
  const auto *MC = dyn_cast<CXXMemberCallExpr>(C);
  const CXXMethodDecl *MD = MC ? MC->getMethodDecl() : nullptr;
  if (!MD || !MD->isVirtual() || MD->hasAttr<FinalAttr>() ||
      MD->getParent()->hasAttr<FinalAttr>())
    return false;
  const auto *ME = dyn_cast<MemberExpr>(MC->getCallee()->IgnoreParens());
  return !(ME && ME->hasQualifier());
}

struct Walker {
  TUContext &TU;
  FactsCache &Cache;
  const FunctionDecl *FD;
  const ObjectResolver &R;
  FunctionFacts &Out;

  void object(std::vector<ObjectFact> &L, const Expr *Obj, const Expr *Op,
              bool KeepUnnamed) {
    std::optional<ObjectKey> K = Obj ? R.keyOf(Obj) : std::nullopt;
    if (!K) {
      if (KeepUnnamed)
        addUnique(L, ObjectFact{std::nullopt, FactSite{Op, FD, {}, {}}});
      return;
    }
    if (nameable(K, FD))
      addUnique(L, ObjectFact{K, FactSite{Op, FD, {}, {}}});
  }

  // Parameters (locks the caller passed in) unlocked by hand on every path
  // so far and not locked again: a wait now releases them.
  std::vector<unsigned> Unlocked;

  // Something in the body may keep the function from returning (a loop
  // with a constant condition, a call that does not return): its CFG is
  // asked afterwards.
  bool MayNotReturn = false;
  // Depth of `try` blocks around the walk, and whether a return or goto
  // came before in the text: a call after one, or inside a `try`, is not
  // made on every path that returns (FactCallRec::Cuts).
  unsigned TryDepth = 0;
  bool ExitBefore = false;
  bool cuts(bool Conditional) const {
    return !Conditional && TryDepth == 0 && !ExitBefore;
  }

  void mustWait(const BlockFact &B) {
    // A wait that releases nothing of the caller's says more than one that
    // does.
    if (!Out.MustWait ||
        (!Out.MustWait->ReleasesParams.empty() && B.ReleasesParams.empty()))
      Out.MustWait = B;
  }

  void block(const BlockingOp &Op, bool Conditional) {
    BlockFact B{Op.What, FactSite{Op.Call, FD, {}, {}}, {}};
    if (!Out.MayBlock)
      Out.MayBlock = B;
    if (!waitsForOther(Op))
      return;
    for (const Expr *A : Op.Released)
      if (const ParmVarDecl *P = ownParam(A, FD))
        addIndex(B.ReleasesParams, P->getFunctionScopeIndex());
    for (unsigned I : Unlocked)
      addIndex(B.ReleasesParams, I);
    if (!Out.MayWait)
      Out.MayWait = B;
    if (!Conditional)
      mustWait(B);
  }

  // `m.unlock()` / `lk.unlock()` on a parameter, and `lock()` again.
  void handUnlock(const CXXMemberCallExpr *MC, bool Conditional) {
    const CXXMethodDecl *MD = MC->getMethodDecl();
    const ParmVarDecl *P = ownParam(MC->getImplicitObjectArgument(), FD);
    if (!P || !MD || !MD->getIdentifier())
      return;
    QualType T = P->getType();
    const LockModel *L = mutexModelOf(T, TU.Models);
    if (!L && isGuardType(T, TU.Models))
      L = mutexModelOf(
          [&]() -> QualType {
            if (const auto *Spec = dyn_cast_or_null<
                    ClassTemplateSpecializationDecl>(
                    T.getNonReferenceType()->getAsCXXRecordDecl()))
              for (const TemplateArgument &TA :
                   Spec->getTemplateArgs().asArray())
                if (TA.getKind() == TemplateArgument::Type)
                  return TA.getAsType();
            return QualType();
          }(),
          TU.Models);
    if (!L)
      return;
    llvm::StringRef Name = MD->getName();
    unsigned I = P->getFunctionScopeIndex();
    if (contains(L->Unlock, Name) || contains(L->SharedUnlock, Name)) {
      if (!Conditional)
        addIndex(Unlocked, I);
    } else if (contains(L->Lock, Name) || contains(L->SharedLock, Name)) {
      llvm::erase(Unlocked, I);
    }
  }

  void call(const CallExpr *C, bool Conditional) {
    const ModelSet &Models = TU.Models;
    // An operation of a model is what the model says, not what the
    // library's body (or a test's stand-in for it) does.
    bool Modelled = false;
    if (auto Op = matchBlockingOp(C, Models)) {
      block(*Op, Conditional);
      Modelled = true;
    } else if (runsAllWork(C, Models)) {
      if (!Out.MayWait)
        Out.MayWait = BlockFact{"event loop run", FactSite{C, FD, {}, {}}};
      Modelled = true;
    }
    if (!Cache.returns(C))
      MayNotReturn = true;
    std::optional<ChanOp> Ch = matchChanOp(C, Models);
    Modelled |= Ch.has_value();
    // A model read off the project's own code (analysis/InferModels)
    // describes that code, which stays the truth about the locks it takes,
    // the flags it writes and the stops it requests: its body is followed
    // as well.
    if (Ch && Ch->Model && Ch->Model->Inferred)
      Modelled = false;
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(C)) {
      const CXXMethodDecl *MD = MC->getMethodDecl();
      const Expr *Obj = MC->getImplicitObjectArgument();
      if (MD && MD->getIdentifier() && Obj)
        handUnlock(MC, Conditional);
      if (MD && MD->getIdentifier() && Obj) {
        llvm::StringRef Name = MD->getName();
        QualType T = Obj->IgnoreParenImpCasts()->getType();
        if (const LockModel *L = mutexModelOf(T, Models))
          if (contains(L->Lock, Name) || contains(L->SharedLock, Name) ||
              contains(L->TryLock, Name))
            object(Out.Acquires, Obj, C, /*KeepUnnamed=*/true);
        if (const CancelSourceModel *S = cancelSourceModelOf(T, Models))
          if (contains(S->Request, Name))
            object(Out.RequestsStop, Obj, C, false);
        if (const SpawnModel *S = spawnModelOf(T, Models))
          if (contains(S->Interrupt, Name))
            object(Out.RequestsStop, Obj, C, false);
      }
    }
    if (!Modelled)
      callee(C, Conditional);
  }

  void callee(const CallExpr *C, bool Conditional) {
    const FunctionDecl *Callee = factsCallee(C);
    if (!Callee || Callee == FD)
      return;
    const FunctionFacts &F = Cache.get(Callee);
    if (!Out.MayBlock && F.MayBlock)
      Out.MayBlock = F.MayBlock;
    if (!Out.MayWait && F.MayWait)
      Out.MayWait = F.MayWait;
    if (!Conditional && F.MustWait) {
      // The callee's released parameters, as this function's own.
      BlockFact B = *F.MustWait;
      B.ReleasesParams.clear();
      auto [Args, Object] = callArgs(C);
      for (unsigned I : F.MustWait->ReleasesParams)
        if (I < Args.size())
          if (const ParmVarDecl *P = ownParam(Args[I], FD))
            addIndex(B.ReleasesParams, P->getFunctionScopeIndex());
      for (unsigned I : Unlocked)
        addIndex(B.ReleasesParams, I);
      mustWait(B);
    }
    mapObjectFacts(Out, F, Callee, C, R,
                   [&](std::vector<ObjectFact> &To, ObjectFact M) {
                     if (!M.Key || nameable(M.Key, FD))
                       addUnique(To, std::move(M));
                   });
    Out.Opaque = Out.Opaque || F.Opaque;
    auto Through = [&](const std::optional<ObjectKey> &K)
        -> std::optional<ObjectKey> {
      if (!K)
        return std::nullopt;
      bool Unnamed = false;
      std::optional<ObjectKey> M = mapToCaller(*K, Callee, C, R, Unnamed);
      return nameable(M, FD) ? M : std::nullopt;
    };
    // The callee's own calls into other TUs, seen from here.
    for (const FactCallRec &X : F.ExternalCalls) {
      FactCallRec Rec;
      Rec.Callee = X.Callee;
      Rec.Unconditional = X.Unconditional && !Conditional;
      Rec.Cuts = X.Cuts && cuts(Conditional);
      for (const auto &A : X.Args)
        Rec.Args.push_back(Through(A));
      Rec.Object = Through(X.Object);
      if (X.ObjectIsThis) {
        auto [Args, Object] = callArgs(C);
        if (!Object || isa<CXXThisExpr>(Object->IgnoreParenImpCasts()))
          Rec.ObjectIsThis = true;
        else if (std::optional<ObjectKey> O = R.keyOf(Object);
                 nameable(O, FD))
          Rec.Object = O;
      }
      Out.ExternalCalls.push_back(std::move(Rec));
    }
    if (!Callee->hasBody()) {
      // Defined in another TU: the link phase resolves it.
      std::string USR = usrOf(Callee);
      if (USR.empty())
        return;
      TU.ExternalCallees.insert(USR);
      FactCallRec Rec;
      Rec.Callee = USR;
      Rec.Unconditional = !Conditional;
      Rec.Cuts = cuts(Conditional);
      auto [Args, Object] = callArgs(C);
      for (const Expr *A : Args) {
        std::optional<ObjectKey> K = R.keyOf(A);
        Rec.Args.push_back(nameable(K, FD) ? K : std::nullopt);
      }
      if (Object && isa<CXXThisExpr>(Object->IgnoreParenImpCasts()))
        Rec.ObjectIsThis = true;
      else if (Object)
        if (std::optional<ObjectKey> K = R.keyOf(Object); nameable(K, FD))
          Rec.Object = K;
      Out.ExternalCalls.push_back(std::move(Rec));
    }
  }

  // A guard constructed with mutexes acquires them (whatever the tag: a
  // deferred or tried lock may still take it).
  void construct(const CXXConstructExpr *CE) {
    if (!isGuardType(CE->getType(), TU.Models))
      return;
    for (const Expr *A : CE->arguments())
      if (!isa<CXXDefaultArgExpr>(A) &&
          mutexModelOf(A->IgnoreParenImpCasts()->getType(), TU.Models))
        object(Out.Acquires, A, CE, /*KeepUnnamed=*/true);
  }

  void walk(const Stmt *S, bool Conditional) {
    if (!S || isa<LambdaExpr>(S))
      return;
    if (isa<GotoStmt, IndirectGotoStmt>(S))
      ExitBefore = true;
    if (constantLoop(S, TU.AST))
      MayNotReturn = true;
    if (const auto *Try = dyn_cast<CXXTryStmt>(S)) {
      ++TryDepth;
      walk(Try->getTryBlock(), Conditional);
      --TryDepth;
      for (unsigned I = 0; I < Try->getNumHandlers(); ++I)
        walk(Try->getHandler(I), Conditional);
      return;
    }
    if (isa<IfStmt, ForStmt, WhileStmt, DoStmt, CXXForRangeStmt, SwitchStmt,
            ConditionalOperator, BinaryConditionalOperator, CXXCatchStmt>(S))
      Conditional = true;
    if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
      if (BO->isLogicalOp()) {
        walk(BO->getLHS(), Conditional);
        walk(BO->getRHS(), true);
        return;
      }
    }
    if (const auto *E = dyn_cast<Expr>(S))
      if (std::optional<ObjectWrite> W = objectWriteOf(E, TU.Models))
        if (isFlag(*W, TU.Models))
          object(Out.WritesFlag, W->Object, E, false);
    if (const auto *C = dyn_cast<CallExpr>(S))
      call(C, Conditional);
    else if (const auto *CE = dyn_cast<CXXConstructExpr>(S))
      construct(CE);
    for (const Stmt *Ch : S->children())
      walk(Ch, Conditional);
    // `return run(argc, argv);`: the call comes before the return.
    if (isa<ReturnStmt, CoreturnStmt>(S))
      ExitBefore = true;
  }
};

} // namespace

const FunctionFacts &FactsCache::compute(const FunctionDecl *FD) {
  static const FunctionFacts Empty;
  // A recursion: the cycle adds nothing more. What the cut-off part would
  // have needed is not known.
  if (InProgress.contains(FD) || InProgress.size() > 32) {
    if (!Computing.empty())
      Computing.back()->NeedsAll = true;
    return Empty;
  }
  InProgress.insert(FD);
  auto F = std::make_unique<FunctionFacts>();
  Computing.push_back(F.get());
  ObjectResolver R(FD->getBody());
  Walker W{TU, *this, FD, R, *F};
  W.walk(FD->getBody(), false);
  if (W.MayNotReturn)
    F->NeverReturns = neverReturns(FD, TU, *this);
  eraseDuplicates(F->ExternalCalls, [](const FactCallRec &A,
                                       const FactCallRec &B) {
    return std::tie(A.Callee, A.Args, A.Object, A.ObjectIsThis,
                    A.Unconditional, A.Cuts) <
           std::tie(B.Callee, B.Args, B.Object, B.ObjectIsThis,
                    B.Unconditional, B.Cuts);
  });
  Computing.pop_back();
  InProgress.erase(FD);
  return *(Cache[FD] = std::move(F));
}

bool FactsCache::returns(const CallExpr *Call) {
  if (const FunctionDecl *D = Call->getDirectCallee(); D && D->isNoReturn())
    return false;
  // A blocking operation of a model is what the model says, whatever the
  // body (or a test's stand-in for it) does.
  if (auto Op = matchBlockingOp(Call, TU.Models))
    return !Op->NeverReturns;
  const FunctionDecl *Callee = factsCallee(Call);
  if (!Callee || dispatchedVirtually(Call))
    return true;
  return !get(Callee).NeverReturns;
}

std::optional<FunctionFacts> FactsCache::atCall(const Expr *Call,
                                                const ObjectResolver &R) {
  const auto *C = dyn_cast_or_null<CallExpr>(Call);
  const FunctionDecl *Callee = factsCallee(C);
  if (!Callee)
    return std::nullopt;
  const FunctionFacts &F = get(Callee);
  FunctionFacts Out;
  Out.MayBlock = F.MayBlock;
  Out.MayWait = F.MayWait;
  Out.MustWait = F.MustWait;
  Out.NeverReturns = F.NeverReturns;
  mapObjectFacts(Out, F, Callee, C, R,
                 [](std::vector<ObjectFact> &To, ObjectFact M) {
                   To.push_back(std::move(M));
                 });
  Out.Opaque = F.Opaque;
  return Out;
}

const FunctionFacts &FactsCache::fromLinked(const FunctionDecl *FD) {
  auto F = std::make_unique<FunctionFacts>();
  std::string USR = usrOf(FD->getCanonicalDecl());
  F->Needs.insert(&*USRs.insert(USR).first);
  const ExternalFacts *X = TU.Linked ? TU.Linked->facts(USR) : nullptr;
  if (!X) {
    // Known to define nothing of interest, or not known at all.
    F->Opaque = !(TU.Linked && TU.Linked->defines(USR));
    return *(Cache[FD] = std::move(F));
  }
  auto Block = [](const std::optional<ExternalBlockFact> &B)
      -> std::optional<BlockFact> {
    if (!B)
      return std::nullopt;
    return BlockFact{B->What,
                     FactSite{nullptr, nullptr, B->Where, B->Function},
                     B->ReleasesParams};
  };
  F->MayBlock = Block(X->MayBlock);
  F->MayWait = Block(X->MayWait);
  F->MustWait = Block(X->MustWait);
  if (X->NeverReturns)
    F->NeverReturns = NeverReturnsFact{
        X->NeverReturns->What,
        FactSite{nullptr, nullptr, X->NeverReturns->Where,
                 X->NeverReturns->Function}};
  auto Objects = [&](std::vector<ObjectFact> &To,
                     const std::vector<ExternalObjectFact> &From,
                     bool KeepUnnamed) {
    for (const ExternalObjectFact &E : From) {
      ObjectFact O{std::nullopt,
                   FactSite{nullptr, nullptr, E.Where, E.Function}};
      if (E.Key)
        O.Key = resolveSummaryKey(*E.Key, FD, TU.AST);
      if (!O.Key && !KeepUnnamed)
        continue;
      To.push_back(std::move(O));
    }
  };
  Objects(F->Acquires, X->Acquires, true);
  Objects(F->RequestsStop, X->RequestsStop, false);
  Objects(F->WritesFlag, X->WritesFlag, false);
  F->Opaque = X->Opaque;
  return *(Cache[FD] = std::move(F));
}

void FactsCache::exportTo(llvm::ArrayRef<const FunctionDecl *> Functions,
                          TUSummaries &Out) {
  const SourceManager &SM = TU.AST.getSourceManager();
  for (const FunctionDecl *FD : Functions) {
    const FunctionFacts &F = get(FD);
    auto Spec = [&](const std::optional<ObjectKey> &K)
        -> std::optional<SummaryKey> {
      return K ? summaryKeyOf(*K, FD, {/*Globals=*/true, /*Ret=*/false})
               : std::nullopt;
    };
    auto Where = [&](const FactSite &S, SourcePoint &W, std::string &Fn) {
      W = S.Op ? toSourcePoint(SM, S.Op->getBeginLoc()) : S.Where;
      Fn = S.functionName();
      if (Fn == "lambda")
        Fn = FD->getQualifiedNameAsString();
    };
    auto Block = [&](const std::optional<BlockFact> &B)
        -> std::optional<ExternalBlockFact> {
      if (!B)
        return std::nullopt;
      ExternalBlockFact E;
      E.What = B->What;
      E.ReleasesParams = B->ReleasesParams;
      Where(B->At, E.Where, E.Function);
      return E;
    };
    ExternalFacts X;
    X.MayBlock = Block(F.MayBlock);
    X.MayWait = Block(F.MayWait);
    X.MustWait = Block(F.MustWait);
    if (F.NeverReturns) {
      ExternalBlockFact E;
      E.What = F.NeverReturns->What;
      Where(F.NeverReturns->At, E.Where, E.Function);
      X.NeverReturns = std::move(E);
    }
    auto Objects = [&](std::vector<ExternalObjectFact> &To,
                       const std::vector<ObjectFact> &From, bool KeepUnnamed) {
      for (const ObjectFact &O : From) {
        ExternalObjectFact E;
        E.Key = Spec(O.Key);
        if (!E.Key && !(KeepUnnamed && !O.Key))
          continue;
        Where(O.At, E.Where, E.Function);
        To.push_back(std::move(E));
      }
    };
    Objects(X.Acquires, F.Acquires, true);
    Objects(X.RequestsStop, F.RequestsStop, false);
    Objects(X.WritesFlag, F.WritesFlag, false);
    X.Opaque = F.Opaque;
    for (const FactCallRec &C : F.ExternalCalls) {
      ExternalFactCall E;
      E.Callee = C.Callee;
      E.Unconditional = C.Unconditional;
      E.Cuts = C.Cuts;
      for (const auto &A : C.Args)
        E.Args.push_back(Spec(A));
      if (C.ObjectIsThis) {
        E.Object = SummaryKey{SummaryKey::This, 0, {}, {}};
      } else {
        E.Object = Spec(C.Object);
      }
      X.Calls.push_back(std::move(E));
    }
    if (X.empty())
      continue;
    std::string USR = usrOf(FD->getCanonicalDecl());
    if (USR.empty())
      continue;
    auto It = llvm::find_if(Out.Functions, [&](const ExternalSummary &S) {
      return S.USR == USR;
    });
    if (It == Out.Functions.end()) {
      ExternalSummary S;
      S.USR = USR;
      S.Name = FD->getQualifiedNameAsString();
      Out.Functions.push_back(std::move(S));
      It = std::prev(Out.Functions.end());
    }
    It->Facts = std::move(X);
  }
  for (const std::string *U : Asked)
    Out.AskedFacts.push_back(*U);
  llvm::sort(Out.AskedFacts);
  Out.AskedAll = AskedAll;
}

} // namespace tether
