#include "LockState.h"
#include "AnalysisContext.h"
#include "ModelMatch.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Analysis/CFG.h"
#include "llvm/ADT/Statistic.h"

#include <deque>
#include <map>

using namespace clang;

// See AnalysisContext.cpp.
#define DEBUG_TYPE "tether-analysis"
ALWAYS_ENABLED_STATISTIC(NumLockStateCFGs,
                         "CFGs built by a lock state without shared analyses");

namespace tether {

std::string HeldLock::describe() const {
  return Mutex ? "'" + Mutex->describe() + "'" : std::string("the mutex");
}

// ---------------------------------------------------------------------------

namespace {

bool contains(const std::vector<std::string> &V, llvm::StringRef S) {
  return llvm::is_contained(V, S);
}

struct GuardSt {
  llvm::SmallVector<std::optional<ObjectKey>, 1> Mutexes;
  bool Owns = false;
  const Expr *Site = nullptr;
  bool operator==(const GuardSt &O) const {
    return Mutexes == O.Mutexes && Owns == O.Owns && Site == O.Site;
  }
};

struct State {
  bool Reached = false;
  std::map<ObjectKey, const Expr *> Manual;
  std::map<const VarDecl *, GuardSt> Guards;
  bool operator==(const State &O) const {
    return Reached == O.Reached && Manual == O.Manual && Guards == O.Guards;
  }
};

void mergeInto(State &Dst, const State &Src) {
  if (!Src.Reached)
    return;
  if (!Dst.Reached) {
    Dst = Src;
    return;
  }
  for (auto It = Dst.Manual.begin(); It != Dst.Manual.end();)
    It = Src.Manual.count(It->first) ? std::next(It) : Dst.Manual.erase(It);
  for (auto It = Dst.Guards.begin(); It != Dst.Guards.end();) {
    auto S = Src.Guards.find(It->first);
    if (S == Src.Guards.end() || S->second.Mutexes != It->second.Mutexes) {
      It = Dst.Guards.erase(It);
      continue;
    }
    It->second.Owns = It->second.Owns && S->second.Owns;
    if (S->second.Site != It->second.Site)
      It->second.Site = std::min(It->second.Site, S->second.Site);
    ++It;
  }
}

// Does Callee return with the guard it receives as parameter P still
// owning its mutex? Yes when its body only hands the guard to waits (which
// re-acquire before they return: `void waitBeforeWrite(unique_lock &lk) {
// cv.wait(lk, pred); }`), to const member functions (`owns_lock()`), or to
// callees that keep it locked in turn. Anything else (unlock, release, a
// move, an assignment, a callee without a body here) may give it up.
bool keepsGuardLocked(const FunctionDecl *Callee, unsigned P,
                      const ModelSet &Models, int Depth = 0) {
  const FunctionDecl *Def = nullptr;
  if (!Callee || Depth > 3 || !Callee->hasBody(Def) || !Def ||
      P >= Def->getNumParams())
    return false;
  const ParmVarDecl *Parm = Def->getParamDecl(P);
  if (!Parm->getType()->isLValueReferenceType())
    return false; // the caller's guard was moved into the callee
  struct Use {
    const ParmVarDecl *Parm;
    const ModelSet &Models;
    int Depth;
    bool Keeps = true;
    bool isParm(const Expr *E) const {
      const auto *DR = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
      return DR && DR->getDecl() == Parm;
    }
    void visit(const Stmt *S) {
      if (!S || !Keeps)
        return;
      if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S)) {
        const Expr *Obj = MC->getImplicitObjectArgument();
        if (Obj && isParm(Obj) &&
            !(MC->getMethodDecl() && MC->getMethodDecl()->isConst())) {
          Keeps = false;
          return;
        }
      }
      if (const auto *C = dyn_cast<CallExpr>(S)) {
        bool Wait = matchBlockingOp(C, Models).has_value();
        const FunctionDecl *F = C->getDirectCallee();
        unsigned Skip =
            isa<CXXOperatorCallExpr>(C) && isa_and_nonnull<CXXMethodDecl>(F)
                ? 1
                : 0;
        for (unsigned I = 0; I < C->getNumArgs(); ++I) {
          if (!isParm(C->getArg(I)))
            continue;
          if (Wait)
            continue;
          if (I < Skip || !keepsGuardLocked(F, I - Skip, Models, Depth + 1)) {
            Keeps = false;
            return;
          }
        }
        // The arguments were judged; the callee and the object are
        // visited below.
      }
      if (const auto *CE = dyn_cast<CXXConstructExpr>(S))
        for (const Expr *A : CE->arguments())
          if (isParm(A)) {
            Keeps = false; // moved or copied into another guard
            return;
          }
      if (const auto *BO = dyn_cast<BinaryOperator>(S);
          BO && BO->isAssignmentOp() && isParm(BO->getLHS())) {
        Keeps = false;
        return;
      }
      for (const Stmt *Ch : S->children()) {
        // A call's own arguments were judged above.
        if (const auto *C = dyn_cast<CallExpr>(S))
          if (const auto *E = dyn_cast_or_null<Expr>(Ch); E && isParm(E) &&
              llvm::is_contained(C->arguments(), E))
            continue;
        visit(Ch);
      }
    }
  } U{Parm, Models, Depth};
  U.visit(Def->getBody());
  return U.Keeps;
}

} // namespace

struct LockState::Impl {
  LockState &LS;
  const ModelSet &Models;
  const ObjectResolver &R;

  Impl(LockState &LS, const ModelSet &Models)
      : LS(LS), Models(Models), R(*LS.R) {}

  const VarDecl *guardVar(const Expr *E) {
    if (!E)
      return nullptr;
    E = stripWrappers(E);
    const auto *DR = dyn_cast<DeclRefExpr>(E);
    if (!DR)
      return nullptr;
    const auto *VD = dyn_cast<VarDecl>(DR->getDecl());
    return VD && isGuardType(VD->getType(), Models) ? VD : nullptr;
  }

  void acquired(const std::optional<ObjectKey> &M, const Expr *Site,
                const VarDecl *Guard, bool Record) {
    if (Record)
      LS.Acquisitions.push_back({M, Site, Guard});
  }

  // A guard variable initialised by Init.
  void construct(State &S, const VarDecl *VD, const Expr *Init, bool Record) {
    S.Guards.erase(VD);
    if (!Init)
      return;
    const Expr *I = Init->IgnoreImplicit();
    if (const auto *FC = dyn_cast<CXXFunctionalCastExpr>(I))
      I = FC->getSubExpr()->IgnoreImplicit();
    const auto *CE = dyn_cast<CXXConstructExpr>(I);
    if (!CE)
      return; // from a call: unknown
    if (CE->getConstructor()->isCopyOrMoveConstructor() &&
        CE->getNumArgs() == 1) {
      const Expr *A = stripWrappers(CE->getArg(0));
      if (const VarDecl *From = guardVar(A)) {
        auto It = S.Guards.find(From);
        if (It != S.Guards.end()) {
          S.Guards[VD] = It->second;
          S.Guards.erase(From);
          LS.GuardMutexes[VD] = LS.GuardMutexes.lookup(From);
        }
        return;
      }
      if (const auto *Inner = dyn_cast<CXXConstructExpr>(A))
        if (isGuardType(Inner->getType(), Models) && Inner != CE)
          return construct(S, VD, Inner, Record);
      return;
    }
    GuardSt G;
    G.Site = CE;
    ModelSet::LockTag T = ModelSet::LockTag::None;
    bool Timed = false;
    for (const Expr *A : CE->arguments()) {
      if (isa<CXXDefaultArgExpr>(A))
        continue;
      QualType AT = A->IgnoreParenImpCasts()->getType();
      if (ModelSet::LockTag X = lockTagOf(AT, Models);
          X != ModelSet::LockTag::None) {
        T = X;
        continue;
      }
      if (mutexModelOf(AT, Models)) {
        G.Mutexes.push_back(R.keyOf(A));
        continue;
      }
      Timed = true; // a duration or time point: a timed try
    }
    if (G.Mutexes.empty())
      return; // default-constructed: owns nothing, refers to nothing
    auto &GM = LS.GuardMutexes[VD];
    GM.clear();
    for (const auto &M : G.Mutexes)
      if (M)
        GM.push_back(*M);
    G.Owns = (T == ModelSet::LockTag::None && !Timed) ||
             T == ModelSet::LockTag::Adopt;
    if (T == ModelSet::LockTag::Adopt)
      for (const auto &M : G.Mutexes)
        if (M)
          S.Manual.erase(*M);
    if (G.Owns && T != ModelSet::LockTag::Adopt)
      for (const auto &M : G.Mutexes)
        acquired(M, CE, VD, Record);
    S.Guards[VD] = std::move(G);
  }

  void releaseMutex(State &S, const ObjectKey &K) {
    S.Manual.erase(K);
    for (auto &[VD, G] : S.Guards)
      for (const auto &M : G.Mutexes)
        if (M && *M == K)
          G.Owns = false;
  }

  void transferCall(State &S, const Expr *E, bool Record) {
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
      if (Op->getOperator() == OO_Equal && Op->getNumArgs() == 2)
        if (const VarDecl *L = guardVar(Op->getArg(0))) {
          const Expr *RHS = stripWrappers(Op->getArg(1));
          if (const VarDecl *From = guardVar(RHS)) {
            auto It = S.Guards.find(From);
            if (It != S.Guards.end() && From != L) {
              S.Guards[L] = It->second;
              LS.GuardMutexes[L] = LS.GuardMutexes.lookup(From);
              S.Guards.erase(From);
            } else {
              S.Guards.erase(L);
            }
          } else {
            construct(S, L, RHS, Record);
          }
          return;
        }
    }
    // Guards handed to a callee: by value (moved away) or by non-const
    // reference (the callee may unlock) lose their known ownership, except
    // for a blocking wait, which re-acquires before it returns, and a
    // callee that only waits with it (keepsGuardLocked).
    if (const auto *Call = dyn_cast<CallExpr>(E);
        Call && stripWrappers(Call) == Call) { // not std::move(lk)
      bool Wait = matchBlockingOp(E, Models).has_value();
      const FunctionDecl *Callee = Call->getDirectCallee();
      unsigned Skip = isa<CXXOperatorCallExpr>(Call) &&
                              isa_and_nonnull<CXXMethodDecl>(Callee)
                          ? 1
                          : 0;
      for (unsigned I = Skip; I < Call->getNumArgs(); ++I) {
        const VarDecl *G = guardVar(Call->getArg(I));
        if (!G || Wait)
          continue;
        unsigned P = I - Skip;
        bool ConstRef = false;
        if (Callee && P < Callee->getNumParams()) {
          QualType PT = Callee->getParamDecl(P)->getType();
          ConstRef = PT->isReferenceType() &&
                     PT.getNonReferenceType().isConstQualified();
        }
        if (!ConstRef && !keepsGuardLocked(Callee, P, Models))
          S.Guards.erase(G);
      }
    }
    const auto *MC = dyn_cast<CXXMemberCallExpr>(E);
    if (!MC || !MC->getMethodDecl())
      return;
    const CXXMethodDecl *MD = MC->getMethodDecl();
    if (!MD->getIdentifier())
      return;
    llvm::StringRef Name = MD->getName();
    const Expr *Obj = MC->getImplicitObjectArgument();
    if (!Obj)
      return;
    QualType OT = Obj->IgnoreParenImpCasts()->getType();
    if (const VarDecl *G = guardVar(Obj)) {
      auto It = S.Guards.find(G);
      if (It == S.Guards.end() || MD->isConst())
        return;
      const LockModel *LM = nullptr;
      // The guard's lock model is the one of the mutex type it wraps, else
      // the one that lists the guard (a user's mutex in std::unique_lock).
      if (const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
              G->getType().getNonReferenceType()->getAsCXXRecordDecl()))
        for (const TemplateArgument &TA : Spec->getTemplateArgs().asArray())
          if (TA.getKind() == TemplateArgument::Type)
            if ((LM = mutexModelOf(TA.getAsType(), Models)))
              break;
      if (!LM)
        LM = Models.lockForGuardType(
            modelName(G->getType().getNonReferenceType()->getAsCXXRecordDecl()));
      bool Lock = LM && (contains(LM->Lock, Name) ||
                         contains(LM->SharedLock, Name));
      if (Lock) {
        It->second.Owns = true;
        It->second.Site = MC;
        for (const auto &M : It->second.Mutexes)
          acquired(M, MC, G, Record);
      } else {
        It->second.Owns = false;
      }
      return;
    }
    if (const LockModel *LM = mutexModelOf(OT, Models)) {
      auto K = R.keyOf(Obj);
      if (!K)
        return;
      if (contains(LM->Lock, Name) || contains(LM->SharedLock, Name)) {
        S.Manual[*K] = MC;
        acquired(*K, MC, nullptr, Record);
      } else if (contains(LM->Unlock, Name) ||
                 contains(LM->SharedUnlock, Name)) {
        releaseMutex(S, *K);
      }
    }
  }

  // `if (lk.owns_lock())`, `if (lk)`, `if (mu.try_lock())` on their true
  // edge; `!` flips the edge.
  void refineEdge(const CFGBlock &B, unsigned SuccIndex, State &S,
                  bool Record) {
    if (B.succ_size() != 2)
      return;
    const auto *E = dyn_cast_or_null<Expr>(B.getTerminatorCondition());
    if (!E)
      return;
    bool Neg = false;
    E = E->IgnoreParenImpCasts();
    while (const auto *UO = dyn_cast<UnaryOperator>(E)) {
      if (UO->getOpcode() != UO_LNot)
        return;
      Neg = !Neg;
      E = UO->getSubExpr()->IgnoreParenImpCasts();
    }
    bool True = (SuccIndex == 0) != Neg;
    if (!True)
      return;
    const auto *MC = dyn_cast<CXXMemberCallExpr>(E);
    if (!MC || !MC->getMethodDecl())
      return;
    const CXXMethodDecl *MD = MC->getMethodDecl();
    const Expr *Obj = MC->getImplicitObjectArgument();
    if (const VarDecl *G = guardVar(Obj)) {
      auto It = S.Guards.find(G);
      if (It == S.Guards.end())
        return;
      bool Query = isa<CXXConversionDecl>(MD) || isGuardOwnsQuery(MD, Models);
      if (Query && !It->second.Owns) {
        It->second.Owns = true;
        for (const auto &M : It->second.Mutexes)
          acquired(M, MC, G, Record);
      }
      return;
    }
    if (const LockModel *LM =
            mutexModelOf(Obj->IgnoreParenImpCasts()->getType(), Models))
      if (MD->getIdentifier() && contains(LM->TryLock, MD->getName()))
        if (auto K = R.keyOf(Obj)) {
          S.Manual[*K] = MC;
          acquired(*K, MC, nullptr, Record);
        }
  }

  void snapshot(const Stmt *St, const State &S) {
    llvm::SmallVector<HeldLock, 2> H;
    for (const auto &[K, Site] : S.Manual)
      H.push_back({K, Site, nullptr});
    for (const auto &[VD, G] : S.Guards)
      if (G.Owns)
        for (const auto &M : G.Mutexes)
          H.push_back({M, G.Site, VD});
    auto [It, New] = LS.Held.try_emplace(St, H);
    if (!New) { // listed twice: keep what both occurrences hold
      llvm::SmallVector<HeldLock, 2> Both;
      for (const HeldLock &X : It->second)
        if (llvm::is_contained(H, X))
          Both.push_back(X);
      It->second = std::move(Both);
    }
  }

  void transferBlock(const CFGBlock &B, State &S, bool Record) {
    for (const CFGElement &El : B) {
      if (auto CS = El.getAs<CFGStmt>()) {
        const Stmt *St = CS->getStmt();
        if (Record)
          snapshot(St, S);
        if (const auto *DS = dyn_cast<DeclStmt>(St)) {
          for (const Decl *D : DS->decls())
            if (const auto *VD = dyn_cast<VarDecl>(D))
              if (isGuardType(VD->getType(), Models) &&
                  !VD->getType()->isReferenceType())
                construct(S, VD, VD->getInit(), Record);
        } else if (const auto *E = dyn_cast<Expr>(St)) {
          transferCall(S, E, Record);
        }
      } else if (auto Dtor = El.getAs<CFGAutomaticObjDtor>()) {
        S.Guards.erase(Dtor->getVarDecl());
      }
    }
  }

  void solve(const CFG &G) {
    std::vector<State> In(G.getNumBlockIDs());
    In[G.getEntry().getBlockID()].Reached = true;
    std::deque<const CFGBlock *> Work{&G.getEntry()};
    std::vector<bool> Queued(G.getNumBlockIDs(), false);
    Queued[G.getEntry().getBlockID()] = true;
    unsigned Steps = 0;
    auto Run = [&](bool Record) {
      while (!Work.empty() && ++Steps < 50000) {
        const CFGBlock *B = Work.front();
        Work.pop_front();
        Queued[B->getBlockID()] = false;
        State S = In[B->getBlockID()];
        transferBlock(*B, S, false);
        unsigned I = 0;
        for (const CFGBlock::AdjacentBlock &Succ : B->succs()) {
          const CFGBlock *SB = Succ.getReachableBlock();
          unsigned Index = I++;
          if (!SB)
            continue;
          State Edge = S;
          refineEdge(*B, Index, Edge, Record);
          State &Dst = In[SB->getBlockID()];
          State Old = Dst;
          mergeInto(Dst, Edge);
          if (!(Dst == Old) && !Queued[SB->getBlockID()]) {
            Queued[SB->getBlockID()] = true;
            Work.push_back(SB);
          }
        }
      }
    };
    Run(false);
    if (!Work.empty())
      return; // did not converge: report nothing rather than guess
    for (const CFGBlock *B : G) {
      if (!In[B->getBlockID()].Reached)
        continue;
      State S = In[B->getBlockID()];
      transferBlock(*B, S, true);
      unsigned I = 0;
      for (const CFGBlock::AdjacentBlock &Succ : B->succs()) {
        unsigned Index = I++;
        if (Succ.getReachableBlock()) {
          State Edge = S;
          refineEdge(*B, Index, Edge, true);
        }
      }
    }
  }
};

static bool touchesLocks(const Stmt *S, const ModelSet &Models) {
  if (!S)
    return false;
  if (isa<LambdaExpr>(S))
    return false;
  if (const auto *DS = dyn_cast<DeclStmt>(S))
    for (const Decl *D : DS->decls())
      if (const auto *VD = dyn_cast<VarDecl>(D))
        if (isGuardType(VD->getType(), Models))
          return true;
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S))
    if (const Expr *O = MC->getImplicitObjectArgument())
      if (mutexModelOf(O->IgnoreParenImpCasts()->getType(), Models))
        return true;
  for (const Stmt *C : S->children())
    if (touchesLocks(C, Models))
      return true;
  return false;
}

LockState::LockState(const FunctionDecl *FD, ASTContext &AST,
                     const ModelSet &Models, FunctionAnalyses *Shared) {
  const Stmt *Body = FD ? FD->getBody() : nullptr;
  R = std::make_unique<ObjectResolver>(Body);
  if (!Body || !touchesLocks(Body, Models))
    return;
  UsesLocks = true;
  std::unique_ptr<CFG> Own;
  const CFG *G = nullptr;
  if (Shared) {
    G = Shared->cfg(CFGKind::AllDtors);
  } else {
    CFG::BuildOptions BO;
    BO.setAllAlwaysAdd();
    BO.AddImplicitDtors = true;
    BO.AddTemporaryDtors = true;
    Own = CFG::buildCFG(FD, const_cast<Stmt *>(Body), &AST, BO);
    ++NumLockStateCFGs;
    G = Own.get();
  }
  if (!G)
    return;
  Impl I(*this, Models);
  I.solve(*G);
}

LockState::~LockState() = default;

llvm::ArrayRef<HeldLock> LockState::heldAt(const Stmt *S) const {
  auto It = Held.find(S);
  if (It == Held.end())
    return {};
  return It->second;
}

llvm::ArrayRef<ObjectKey>
LockState::guardMutexes(const VarDecl *Guard) const {
  auto It = GuardMutexes.find(Guard);
  if (It == GuardMutexes.end())
    return {};
  return It->second;
}

void LockState::removeReleased(const BlockingOp &Op,
                               llvm::SmallVectorImpl<HeldLock> &H) const {
  for (const Expr *A : Op.Released) {
    const Expr *S = stripWrappers(A);
    const VarDecl *G = nullptr;
    if (const auto *DR = dyn_cast<DeclRefExpr>(S))
      G = dyn_cast<VarDecl>(DR->getDecl());
    llvm::SmallVector<ObjectKey, 2> Keys;
    if (G && GuardMutexes.count(G))
      for (const ObjectKey &K : GuardMutexes.find(G)->second)
        Keys.push_back(K);
    else if (auto K = R->keyOf(A))
      Keys.push_back(*K);
    llvm::erase_if(H, [&](const HeldLock &L) {
      return (G && L.Guard == G) ||
             (L.Mutex && llvm::is_contained(Keys, *L.Mutex));
    });
  }
}

} // namespace tether
