#include "ChannelFlow.h"
#include "Check.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Analysis/CFG.h"

#include <algorithm>
#include <deque>
#include <set>

using namespace clang;

namespace tether {

// ---------------------------------------------------------------------------
// Body facts: one walk over a function body.

namespace {

struct SpawnRec {
  SpawnSite Site;
  std::optional<ObjectKey> Handle;
  bool Group = false;
  bool Detached = false;
};

struct BodyFacts {
  std::vector<ChanEvent> Ops; // stable after the walk
  std::map<const Expr *, size_t> OpIndex;
  std::vector<SpawnRec> Spawns;
  std::map<const Expr *, size_t> SpawnIndex;
  std::vector<const CallExpr *> Calls; // calls into functions with bodies
  std::map<const VarDecl *, ObjectKey> RangeVars; // loop var -> container
  std::vector<const Stmt *> Loops;
};

bool isWrapper(const Stmt *S) {
  return isa<ImplicitCastExpr, ParenExpr, MaterializeTemporaryExpr,
             CXXBindTemporaryExpr, ExprWithCleanups, CXXFunctionalCastExpr>(S) ||
         (isa<CXXConstructExpr>(S) &&
          cast<CXXConstructExpr>(S)->getNumArgs() == 1 &&
          cast<CXXConstructExpr>(S)->getConstructor()->isCopyOrMoveConstructor());
}

class BodyWalker {
public:
  BodyWalker(const ModelSet &Models, const ObjectResolver &R, BodyFacts &F)
      : Models(Models), R(R), F(F) {}

  void walk(const Stmt *S, bool ValueUsed, bool InTry) {
    if (!S)
      return;
    Stack.push_back(S);
    visit(S, ValueUsed, InTry);
    if (const auto *L = dyn_cast<LambdaExpr>(S)) {
      // Captures are evaluated here; the body runs elsewhere (a thread, or
      // wherever the lambda is called) and is summarised on its own.
      for (const Expr *Init : L->capture_inits())
        walk(Init, true, InTry);
    } else if (const auto *Try = dyn_cast<CXXTryStmt>(S)) {
      walk(Try->getTryBlock(), false, true);
      for (unsigned I = 0; I < Try->getNumHandlers(); ++I)
        walk(Try->getHandler(I), false, InTry);
    } else if (const auto *CS = dyn_cast<CompoundStmt>(S)) {
      for (const Stmt *Child : CS->body())
        walk(Child, false, InTry);
    } else {
      bool ChildUsed = isWrapper(S) ? ValueUsed : true;
      if (isa<IfStmt, WhileStmt, ForStmt, DoStmt, CXXForRangeStmt, SwitchStmt,
              CaseStmt, DefaultStmt, LabelStmt, AttributedStmt>(S))
        ChildUsed = false; // bodies; conditions are refined below
      for (const Stmt *Child : S->children()) {
        bool Used = ChildUsed;
        if (const auto *If = dyn_cast<IfStmt>(S))
          Used = Child == If->getCond();
        else if (const auto *W = dyn_cast<WhileStmt>(S))
          Used = Child == W->getCond();
        else if (const auto *Fr = dyn_cast<ForStmt>(S))
          Used = Child == Fr->getCond();
        else if (const auto *D = dyn_cast<DoStmt>(S))
          Used = Child == D->getCond();
        else if (const auto *Sw = dyn_cast<SwitchStmt>(S))
          Used = Child == Sw->getCond();
        walk(Child, Used, InTry);
      }
    }
    Stack.pop_back();
  }

private:
  // The nearest ancestor that is not a value-preserving wrapper, and the
  // child of it on the path to the current node.
  std::pair<const Stmt *, const Stmt *> meaningfulParent() const {
    const Stmt *Child = Stack.back();
    for (size_t I = Stack.size() - 1; I-- > 0;) {
      if (!isWrapper(Stack[I]))
        return {Stack[I], Child};
      Child = Stack[I];
    }
    return {nullptr, Child};
  }

  void visit(const Stmt *S, bool ValueUsed, bool InTry) {
    if (isa<ForStmt, WhileStmt, CXXForRangeStmt, DoStmt>(S))
      F.Loops.push_back(S);
    if (const auto *RF = dyn_cast<CXXForRangeStmt>(S)) {
      if (const VarDecl *LV = RF->getLoopVariable())
        if (auto K = R.keyOf(RF->getRangeInit()))
          F.RangeVars[LV] = *K;
      return;
    }
    const auto *E = dyn_cast<Expr>(S);
    if (!E)
      return;
    if (auto Op = matchChanOp(E, Models)) {
      if (auto K = R.keyOf(Op->Object)) {
        ChanEvent Ev{Op->Kind, *K, Op->Model, E, E, nullptr,
                     ValueUsed || InTry};
        F.OpIndex[E] = F.Ops.size();
        F.Ops.push_back(Ev);
      }
      return;
    }
    if (auto Sp = matchSpawn(E, Models)) {
      SpawnRec Rec{*Sp, std::nullopt, false, false};
      associateHandle(Rec);
      F.SpawnIndex[E] = F.Spawns.size();
      F.Spawns.push_back(std::move(Rec));
      return;
    }
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      const FunctionDecl *Callee = Call->getDirectCallee();
      if (Callee && !Callee->isInStdNamespace() && Callee->hasBody())
        F.Calls.push_back(Call);
    }
  }

  void associateHandle(SpawnRec &Rec) {
    const Expr *E = Rec.Site.Expr;
    // `workers.emplace_back(f)`: the spawn is the container call itself.
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E)) {
      if (!Rec.Site.Model->Type.empty() &&
          spawnModelOf(MC->getImplicitObjectArgument()->getType(), Models) !=
              Rec.Site.Model) {
        Rec.Handle = R.keyOf(MC->getImplicitObjectArgument());
        Rec.Group = true;
        return;
      }
    }
    auto [Parent, Child] = meaningfulParent();
    if (!Parent)
      return;
    if (const auto *DS = dyn_cast<DeclStmt>(Parent)) {
      for (const Decl *D : DS->decls())
        if (const auto *VD = dyn_cast<VarDecl>(D))
          if (VD->getInit() && stripWrappers(VD->getInit()) == E) {
            ObjectKey K;
            K.Root = VD;
            Rec.Handle = K;
          }
      return;
    }
    const auto *ParentExpr = dyn_cast<Expr>(Parent);
    if (ParentExpr && assignedDecl(ParentExpr)) { // `t = std::thread(f)`
      const Expr *LHS = nullptr;
      if (const auto *BO = dyn_cast<BinaryOperator>(Parent))
        LHS = BO->getLHS();
      else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Parent))
        LHS = Op->getArg(0);
      if (LHS)
        Rec.Handle = R.keyOf(LHS);
      return;
    }
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Parent)) {
      if (stripWrappers(MC->getImplicitObjectArgument()) == E ||
          MC->getImplicitObjectArgument() == Child) {
        if (auto HOp = matchHandleOp(MC, Models))
          Rec.Detached = HOp->Kind == HandleOpKind::Detach;
        return;
      }
      // `workers.push_back(std::thread(f))`
      if (MC->getMethodDecl() && MC->getMethodDecl()->getIdentifier()) {
        StringRef N = MC->getMethodDecl()->getName();
        if (N.starts_with("push") || N.starts_with("emplace") ||
            N == "insert") {
          Rec.Handle = R.keyOf(MC->getImplicitObjectArgument());
          Rec.Group = true;
        }
      }
    }
  }

  const ModelSet &Models;
  const ObjectResolver &R;
  BodyFacts &F;
  std::vector<const Stmt *> Stack;
};

BodyFacts collectFacts(const Stmt *Body, const ModelSet &Models,
                       const ObjectResolver &R) {
  BodyFacts F;
  BodyWalker(Models, R, F).walk(Body, false, false);
  return F;
}

// Is the key's root visible outside FD (parameter, `this`, global, or a
// variable of an enclosing function captured by a lambda)?
bool escapesFunction(const ObjectKey &K, const FunctionDecl *FD) {
  if (K.ThisBased)
    return true;
  const auto *VD = dyn_cast_or_null<VarDecl>(K.Root);
  if (!VD)
    return false;
  if (isa<ParmVarDecl>(VD))
    return true; // FD's own (mapped at call sites) or captured by a lambda
  if (VD->hasGlobalStorage() && !VD->isStaticLocal())
    return true;
  // Declared inside FD (or a lambda in it): local.
  for (const DeclContext *DC = VD->getDeclContext(); DC; DC = DC->getParent())
    if (DC == FD)
      return false;
  return true;
}

} // namespace

const FunctionDecl *calleeBody(const Expr *Callable) {
  if (!Callable)
    return nullptr;
  const Expr *E = stripWrappers(Callable);
  if (const auto *L = dyn_cast<LambdaExpr>(E))
    return L->getCallOperator();
  if (const auto *DR = dyn_cast<DeclRefExpr>(E)) {
    if (const auto *FD = dyn_cast<FunctionDecl>(DR->getDecl())) {
      const FunctionDecl *Def = nullptr;
      return FD->hasBody(Def) ? Def : nullptr;
    }
    if (const auto *VD = dyn_cast<VarDecl>(DR->getDecl()))
      if (VD->hasInit() && VD->isLocalVarDecl())
        if (const auto *L =
                dyn_cast<LambdaExpr>(stripWrappers(VD->getInit())))
          return L->getCallOperator();
  }
  // A callable object: its operator().
  if (const CXXRecordDecl *RD = E->getType()->getAsCXXRecordDecl())
    if (RD->hasDefinition())
      for (const CXXMethodDecl *M : RD->getDefinition()->methods())
        if (M->getOverloadedOperator() == OO_Call && M->hasBody())
          return M;
  return nullptr;
}

// Maps an event of Callee into the caller: parameters become the keys of
// the arguments, `this`-based keys go through the object expression.
static std::optional<ObjectKey>
mapKey(const ObjectKey &K, const FunctionDecl *Callee,
       llvm::ArrayRef<const Expr *> Args, const Expr *Object,
       const ObjectResolver &R) {
  if (K.ThisBased) {
    if (!Object || isa<CXXThisExpr>(Object->IgnoreParenImpCasts()))
      return K;
    auto Base = R.keyOf(Object);
    if (!Base)
      return std::nullopt;
    Base->Path.push_back(cast<FieldDecl>(K.Root));
    Base->Path.append(K.Path.begin(), K.Path.end());
    return Base;
  }
  if (const auto *P = dyn_cast_or_null<ParmVarDecl>(K.Root)) {
    if (P->getDeclContext() != Callee)
      return K; // a parameter of an enclosing function, seen by a lambda
    unsigned I = P->getFunctionScopeIndex();
    if (I >= Args.size())
      return std::nullopt;
    auto Base = R.keyOf(Args[I]);
    if (!Base)
      return std::nullopt;
    Base->Path.append(K.Path.begin(), K.Path.end());
    return Base;
  }
  return escapesFunction(K, Callee) ? std::optional<ObjectKey>(K)
                                    : std::nullopt;
}

static void appendMapped(std::vector<ChanEvent> &Out,
                         const std::vector<ChanEvent> &In,
                         const FunctionDecl *Callee,
                         llvm::ArrayRef<const Expr *> Args, const Expr *Object,
                         const Expr *Site, const ObjectResolver &R) {
  for (const ChanEvent &Ev : In)
    if (auto K = mapKey(Ev.Key, Callee, Args, Object, R)) {
      ChanEvent M = Ev;
      M.Key = *K;
      M.Site = Site;
      if (!M.Via)
        M.Via = Callee;
      Out.push_back(std::move(M));
    }
}

// Arguments of a call as the callee's parameters see them.
static std::pair<llvm::SmallVector<const Expr *, 4>, const Expr *>
callArgs(const CallExpr *Call) {
  llvm::SmallVector<const Expr *, 4> Args;
  const Expr *Object = nullptr;
  unsigned First = 0;
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call)) {
    Object = MC->getImplicitObjectArgument();
  } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call)) {
    if (isa_and_nonnull<CXXMethodDecl>(Op->getDirectCallee())) {
      Object = Op->getArg(0);
      First = 1;
    }
  }
  for (unsigned I = First; I < Call->getNumArgs(); ++I)
    Args.push_back(Call->getArg(I));
  return {Args, Object};
}

// Effects of a spawned body, mapped into the spawning function.
static std::vector<ChanEvent> threadEffects(SummaryCache &Cache,
                                            const SpawnSite &Site,
                                            const FunctionDecl *Body,
                                            const ObjectResolver &R) {
  std::vector<ChanEvent> Out;
  if (!Body)
    return Out;
  llvm::SmallVector<const Expr *, 4> Args(Site.Args.begin(), Site.Args.end());
  const Expr *Object = nullptr;
  const auto *MD = dyn_cast<CXXMethodDecl>(Body);
  if (MD && MD->isInstance() && !MD->getParent()->isLambda() &&
      !Args.empty() && MD->getOverloadedOperator() != OO_Call) {
    Object = Args.front(); // std::thread(&C::run, this, ...)
    Args.erase(Args.begin());
  }
  if (MD && MD->getParent()->isLambda())
    Object = nullptr; // `this` inside a lambda is the enclosing object
  appendMapped(Out, Cache.get(Body).Events, Body, Args, Object, Site.Expr, R);
  return Out;
}

const ChannelSummary &SummaryCache::get(const FunctionDecl *FD) {
  static const ChannelSummary Empty;
  auto It = Cache.find(FD);
  if (It != Cache.end())
    return *It->second;
  if (!FD->hasBody() || InProgress.contains(FD) || InProgress.size() > 16)
    return Empty; // recursion: the cycle contributes nothing more
  InProgress.insert(FD);
  auto S = std::make_unique<ChannelSummary>();
  const Stmt *Body = FD->getBody();
  ObjectResolver R(Body);
  BodyFacts F = collectFacts(Body, TU.Models, R);
  for (const ChanEvent &Ev : F.Ops)
    if (escapesFunction(Ev.Key, FD))
      S->Events.push_back(Ev);
  for (const CallExpr *Call : F.Calls) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    const FunctionDecl *Def = nullptr;
    if (!Callee->hasBody(Def))
      continue;
    auto [Args, Object] = callArgs(Call);
    std::vector<ChanEvent> Mapped;
    appendMapped(Mapped, get(Def).Events, Def, Args, Object, Call, R);
    for (ChanEvent &Ev : Mapped)
      if (escapesFunction(Ev.Key, FD))
        S->Events.push_back(std::move(Ev));
  }
  for (const SpawnRec &Sp : F.Spawns)
    for (ChanEvent &Ev :
         threadEffects(*this, Sp.Site, calleeBody(Sp.Site.Callable), R))
      if (escapesFunction(Ev.Key, FD))
        S->Events.push_back(std::move(Ev));
  InProgress.erase(FD);
  return *(Cache[FD] = std::move(S));
}

// ---------------------------------------------------------------------------
// The flow analysis.

namespace {

using CondMap = llvm::SmallVector<std::pair<const ValueDecl *, bool>, 4>;

struct CloseFact {
  const ChanEvent *Ev;
  int Thread;
  CondMap Conds;
  bool operator==(const CloseFact &O) const {
    return Ev == O.Ev && Thread == O.Thread && Conds == O.Conds;
  }
};

struct State {
  bool Reached = false;
  std::map<ObjectKey, std::vector<CloseFact>> Closed;
  std::vector<int> Running; // sorted
  CondMap Conds;            // sorted by decl
  bool operator==(const State &O) const {
    return Reached == O.Reached && Closed == O.Closed &&
           Running == O.Running && Conds == O.Conds;
  }
};

CondMap intersect(const CondMap &A, const CondMap &B) {
  CondMap Out;
  for (const auto &P : A)
    if (std::find(B.begin(), B.end(), P) != B.end())
      Out.push_back(P);
  return Out;
}

bool contradicts(const CondMap &A, const CondMap &B) {
  for (const auto &[D, V] : A)
    for (const auto &[D2, V2] : B)
      if (D == D2 && V != V2)
        return true;
  return false;
}

void setCond(CondMap &C, const ValueDecl *D, bool V) {
  for (auto &P : C)
    if (P.first == D) {
      P.second = V;
      return;
    }
  C.push_back({D, V});
  std::sort(C.begin(), C.end());
}

void eraseCond(CondMap &C, const ValueDecl *D) {
  C.erase(std::remove_if(C.begin(), C.end(),
                         [&](const auto &P) { return P.first == D; }),
          C.end());
}

void mergeInto(State &Into, const State &From) {
  if (!From.Reached)
    return;
  if (!Into.Reached) {
    Into = From;
    return;
  }
  for (const auto &[K, Facts] : From.Closed) {
    auto &Dst = Into.Closed[K];
    for (const CloseFact &F : Facts) {
      auto It = std::find_if(Dst.begin(), Dst.end(), [&](const CloseFact &X) {
        return X.Ev == F.Ev && X.Thread == F.Thread;
      });
      if (It == Dst.end())
        Dst.push_back(F);
      else
        It->Conds = intersect(It->Conds, F.Conds);
    }
  }
  std::vector<int> R;
  std::set_union(Into.Running.begin(), Into.Running.end(),
                 From.Running.begin(), From.Running.end(),
                 std::back_inserter(R));
  Into.Running = std::move(R);
  Into.Conds = intersect(Into.Conds, From.Conds);
}

class FlowAnalysis {
public:
  FlowAnalysis(FunctionContext &Ctx, std::vector<ThreadStart> &Threads,
               std::vector<Conflict> &Conflicts)
      : Ctx(Ctx), Models(Ctx.tu().Models), FD(Ctx.function()),
        R(FD->getBody()), Threads(Threads), Conflicts(Conflicts) {}

  void run() {
    const Stmt *Body = FD->getBody();
    Facts = collectFacts(Body, Models, R);
    SummaryCache &Cache = Ctx.tu().summaries();
    for (const SpawnRec &Sp : Facts.Spawns) {
      ThreadStart T;
      T.Spawn = Sp.Site.Expr;
      T.Model = Sp.Site.Model;
      T.Handle = Sp.Handle;
      T.GroupHandle = Sp.Group;
      T.Detached = Sp.Detached;
      T.Body = calleeBody(Sp.Site.Callable);
      T.Effects = threadEffects(Cache, Sp.Site, T.Body, R);
      Threads.push_back(std::move(T));
    }
    findLoopJoins();
    for (const CallExpr *Call : Facts.Calls) {
      const FunctionDecl *Def = nullptr;
      if (!Call->getDirectCallee()->hasBody(Def))
        continue;
      auto [Args, Object] = callArgs(Call);
      std::vector<ChanEvent> Mapped;
      appendMapped(Mapped, Cache.get(Def).Events, Def, Args, Object, Call, R);
      if (!Mapped.empty())
        CallEffects[Call] = std::move(Mapped);
    }
    if (Facts.Ops.empty() && Threads.empty() && CallEffects.empty())
      return; // nothing to do with channels: skip the CFG entirely

    CFG::BuildOptions BO;
    BO.setAllAlwaysAdd();
    BO.AddImplicitDtors = true;
    std::unique_ptr<CFG> G =
        CFG::buildCFG(FD, const_cast<Stmt *>(Body), &Ctx.ast(), BO);
    if (!G)
      return;
    solve(*G);
  }

private:
  // `for (auto &t : workers) t.join();` (or an index loop over workers[i])
  // joins every thread of the group, including on the CFG path that skips
  // the body: the exit edge of such a loop joins the whole group.
  void findLoopJoins() {
    std::set<ObjectKey> Groups;
    for (const ThreadStart &T : Threads)
      if (T.GroupHandle && T.Handle)
        Groups.insert(*T.Handle);
    if (Groups.empty())
      return;
    for (const Stmt *Loop : Facts.Loops) {
      const Stmt *Body = nullptr;
      if (const auto *F = dyn_cast<ForStmt>(Loop))
        Body = F->getBody();
      else if (const auto *W = dyn_cast<WhileStmt>(Loop))
        Body = W->getBody();
      else if (const auto *RF = dyn_cast<CXXForRangeStmt>(Loop))
        Body = RF->getBody();
      else if (const auto *D = dyn_cast<DoStmt>(Loop))
        Body = D->getBody();
      std::vector<const Stmt *> Work{Body};
      while (!Work.empty()) {
        const Stmt *S = Work.back();
        Work.pop_back();
        if (!S || isa<LambdaExpr>(S))
          continue;
        if (const auto *E = dyn_cast<Expr>(S))
          if (auto HOp = matchHandleOp(E, Models))
            if (HOp->Kind == HandleOpKind::Join)
              if (auto K = handleKey(HOp->Object); K && Groups.count(*K))
                LoopJoins[Loop].push_back(*K);
        for (const Stmt *C : S->children())
          Work.push_back(C);
      }
    }
  }

  void solve(CFG &G) {
    std::vector<State> In(G.getNumBlockIDs());
    In[G.getEntry().getBlockID()].Reached = true;
    std::deque<const CFGBlock *> Work;
    std::vector<bool> Queued(G.getNumBlockIDs(), false);
    Work.push_back(&G.getEntry());
    Queued[G.getEntry().getBlockID()] = true;
    unsigned Steps = 0;
    while (!Work.empty() && ++Steps < 20000) {
      const CFGBlock *B = Work.front();
      Work.pop_front();
      Queued[B->getBlockID()] = false;
      State S = In[B->getBlockID()];
      transferBlock(*B, S, /*Report=*/false);
      unsigned I = 0;
      for (const CFGBlock::AdjacentBlock &Succ : B->succs()) {
        const CFGBlock *SB = Succ.getReachableBlock();
        unsigned Index = I++;
        if (!SB)
          continue;
        State Edge = S;
        refineEdge(*B, Index, Edge);
        State &Dst = In[SB->getBlockID()];
        State Old = Dst;
        mergeInto(Dst, Edge);
        if (!(Dst == Old) && !Queued[SB->getBlockID()]) {
          Queued[SB->getBlockID()] = true;
          Work.push_back(SB);
        }
      }
    }
    for (const CFGBlock *B : G)
      if (In[B->getBlockID()].Reached) {
        State S = In[B->getBlockID()];
        transferBlock(*B, S, /*Report=*/true);
      }
  }

  // Branch refinement: `if (!ch.is_closed())` clears the channel's closes on
  // the edge where it is open; `if (flag)` records flag's value on each edge.
  void refineEdge(const CFGBlock &B, unsigned SuccIndex, State &S) {
    if (B.succ_size() != 2)
      return;
    if (SuccIndex == 1)
      if (const Stmt *T = B.getTerminatorStmt()) {
        auto It = LoopJoins.find(T);
        if (It != LoopJoins.end())
          for (const ObjectKey &K : It->second)
            join(S, K);
      }
    const Stmt *Cond = B.getTerminatorCondition();
    const auto *E = dyn_cast_or_null<Expr>(Cond);
    if (!E)
      return;
    bool Neg = false;
    E = E->IgnoreParenImpCasts();
    while (const auto *UO = dyn_cast<UnaryOperator>(E)) {
      if (UO->getOpcode() != UO_LNot)
        break;
      Neg = !Neg;
      E = UO->getSubExpr()->IgnoreParenImpCasts();
    }
    bool TrueEdge = SuccIndex == 0;
    bool CondValue = TrueEdge != Neg; // value of E on this edge
    if (auto Op = matchChanOp(E, Models)) {
      if (Op->Kind != ChanOpKind::IsClosed && Op->Kind != ChanOpKind::IsOpen)
        return;
      bool ClosedOnEdge =
          Op->Kind == ChanOpKind::IsClosed ? CondValue : !CondValue;
      if (!ClosedOnEdge)
        if (auto K = R.keyOf(Op->Object))
          S.Closed.erase(*K);
      return;
    }
    const ValueDecl *D = nullptr;
    if (const auto *DR = dyn_cast<DeclRefExpr>(E))
      D = dyn_cast<VarDecl>(DR->getDecl());
    else if (const auto *ME = dyn_cast<MemberExpr>(E))
      if (isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()))
        D = dyn_cast<FieldDecl>(ME->getMemberDecl());
    if (D && D->getType()->isScalarType())
      setCond(S.Conds, D, CondValue);
  }

  void kill(State &S, const ValueDecl *D) {
    for (auto It = S.Closed.begin(); It != S.Closed.end();)
      It = It->first.rootedAt(D) ? S.Closed.erase(It) : std::next(It);
    eraseCond(S.Conds, D);
    for (auto &[K, Facts] : S.Closed)
      for (CloseFact &F : Facts)
        eraseCond(F.Conds, D);
  }

  void transferBlock(const CFGBlock &B, State &S, bool Report) {
    for (const CFGElement &El : B) {
      if (auto CS = El.getAs<CFGStmt>()) {
        transferStmt(CS->getStmt(), S, Report);
      } else if (auto Dtor = El.getAs<CFGAutomaticObjDtor>()) {
        const VarDecl *VD = Dtor->getVarDecl();
        if (destructorJoins(VD->getType())) {
          ObjectKey K;
          K.Root = VD;
          join(S, K);
        }
      }
    }
  }

  bool destructorJoins(QualType T) {
    auto Joins = [](const SpawnModel *M) {
      return M && (M->Destruction == OnDestruction::Join ||
                   M->Destruction == OnDestruction::RequestStopAndJoin);
    };
    if (Joins(spawnModelOf(T, Models)))
      return true;
    if (const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
            T->getAsCXXRecordDecl())) {
      const TemplateArgumentList &TA = Spec->getTemplateArgs();
      if (TA.size() >= 1 && TA[0].getKind() == TemplateArgument::Type)
        return Joins(spawnModelOf(TA[0].getAsType(), Models));
    }
    if (const CXXRecordDecl *RD = designatedRecord(T))
      if (const FutureModel *F = Models.futureForType(modelName(RD)))
        return F->BlocksOnDestruction;
    return false;
  }

  void transferStmt(const Stmt *St, State &S, bool Report) {
    if (const auto *DS = dyn_cast<DeclStmt>(St)) {
      for (const Decl *D : DS->decls())
        if (const auto *VD = dyn_cast<VarDecl>(D))
          kill(S, VD);
      return;
    }
    const auto *E = dyn_cast<Expr>(St);
    if (!E)
      return;
    if (auto It = Facts.OpIndex.find(E); It != Facts.OpIndex.end()) {
      onEvent(Facts.Ops[It->second], -1, S, Report);
      return;
    }
    if (auto It = Facts.SpawnIndex.find(E); It != Facts.SpawnIndex.end()) {
      onSpawn(int(It->second), S, Report);
      return;
    }
    if (auto HOp = matchHandleOp(E, Models)) {
      if (HOp->Kind == HandleOpKind::Join)
        if (auto K = handleKey(HOp->Object))
          join(S, *K);
      return;
    }
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      auto It = CallEffects.find(Call);
      if (It != CallEffects.end())
        for (const ChanEvent &Ev : It->second)
          onEvent(Ev, -1, S, Report);
    }
    if (const ValueDecl *D = assignedDecl(E)) {
      kill(S, D);
      // `aborted = true;`: the flag's value is known from here on, also for
      // the closes that happened earlier on this path (their recorded
      // conditions describe the path since the close).
      if (auto V = constantAssigned(E)) {
        setCond(S.Conds, D, *V);
        for (auto &[K, Facts] : S.Closed)
          for (CloseFact &F : Facts)
            setCond(F.Conds, D, *V);
      }
    }
  }

  static std::optional<bool> constantAssigned(const Expr *E) {
    const auto *BO = dyn_cast<BinaryOperator>(E);
    if (!BO || BO->getOpcode() != BO_Assign)
      return std::nullopt;
    const Expr *RHS = BO->getRHS()->IgnoreParenImpCasts();
    if (const auto *B = dyn_cast<CXXBoolLiteralExpr>(RHS))
      return B->getValue();
    if (const auto *I = dyn_cast<IntegerLiteral>(RHS))
      return I->getValue() != 0;
    return std::nullopt;
  }

  std::optional<ObjectKey> handleKey(const Expr *Obj) {
    const Expr *E = stripWrappers(Obj);
    // workers[i].join()
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E))
      if (Op->getOperator() == OO_Subscript)
        return R.keyOf(Op->getArg(0));
    if (const auto *DR = dyn_cast<DeclRefExpr>(E))
      if (const auto *VD = dyn_cast<VarDecl>(DR->getDecl())) {
        auto It = Facts.RangeVars.find(VD);
        if (It != Facts.RangeVars.end())
          return It->second;
      }
    return R.keyOf(Obj);
  }

  void join(State &S, const ObjectKey &K) {
    for (auto It = S.Running.begin(); It != S.Running.end();) {
      const ThreadStart &T = Threads[*It];
      if (T.Handle && *T.Handle == K && !T.Detached) {
        for (const ChanEvent &Ev : T.Effects)
          if (Ev.Kind == ChanOpKind::Close)
            addClose(S, &Ev, *It);
        It = S.Running.erase(It);
      } else {
        ++It;
      }
    }
  }

  void addClose(State &S, const ChanEvent *Ev, int Thread) {
    auto &Facts = S.Closed[Ev->Key];
    for (const CloseFact &F : Facts)
      if (F.Ev == Ev && F.Thread == Thread)
        return;
    Facts.push_back({Ev, Thread, S.Conds});
  }

  bool sends(const ThreadStart &T, const ObjectKey &K) const {
    for (const ChanEvent &Ev : T.Effects)
      if (isSendOp(Ev.Kind) && Ev.Key == K)
        return true;
    return false;
  }
  bool ownSends(const ObjectKey &K) const {
    for (const ChanEvent &Ev : Facts.Ops)
      if (isSendOp(Ev.Kind) && Ev.Key == K)
        return true;
    for (const auto &[Call, Evs] : CallEffects)
      for (const ChanEvent &Ev : Evs)
        if (isSendOp(Ev.Kind) && Ev.Key == K)
          return true;
    return false;
  }

  void emit(ConflictKind K, const ChanEvent &Later, int LT,
            const ChanEvent &Earlier, int ET, bool Concurrent) {
    auto Key = std::make_tuple(int(K), Later.Site, Later.Op, Earlier.Site,
                               Earlier.Op);
    if (!Seen.insert(Key).second)
      return;
    Conflicts.push_back({K, Later, Earlier, LT, ET, Concurrent});
  }

  // A close racing a send of another party: when the closer also sends on
  // the channel this is the fan-in mistake (close with active senders).
  void raceCloseSend(const ChanEvent &Close, int CT, const ChanEvent &Send,
                     int ST) {
    bool CloserSends = CT >= 0 ? sends(Threads[CT], Close.Key)
                               : ownSends(Close.Key);
    emit(CloserSends ? ConflictKind::CloseWithActiveSenders
                     : ConflictKind::SendAfterClose,
         Send, ST, Close, CT, true);
  }

  // Two events replayed from one call's summary: their order inside the
  // callee is not known here, and the callee's own analysis reports its
  // internal conflicts.
  static bool sameCall(const ChanEvent &A, const ChanEvent &B) {
    return A.Site == B.Site && A.Site != A.Op && B.Site != B.Op;
  }

  void onEvent(const ChanEvent &Ev, int Thread, State &S, bool Report) {
    if (Ev.Kind == ChanOpKind::Close) {
      if (Report) {
        auto It = S.Closed.find(Ev.Key);
        if (It != S.Closed.end())
          for (const CloseFact &F : It->second)
            if (F.Ev != &Ev && !sameCall(*F.Ev, Ev) &&
                !contradicts(F.Conds, S.Conds))
              emit(ConflictKind::DoubleClose, Ev, Thread, *F.Ev, F.Thread,
                   false);
        for (int T : S.Running)
          for (const ChanEvent &TE : Threads[T].Effects) {
            if (!(TE.Key == Ev.Key))
              continue;
            if (TE.Kind == ChanOpKind::Close)
              emit(ConflictKind::DoubleClose, Ev, Thread, TE, T, true);
            else if (isSendOp(TE.Kind))
              raceCloseSend(Ev, Thread, TE, T);
          }
      }
      addClose(S, &Ev, Thread);
      return;
    }
    if (isSendOp(Ev.Kind) && Report) {
      auto It = S.Closed.find(Ev.Key);
      if (It != S.Closed.end())
        for (const CloseFact &F : It->second)
          if (!sameCall(*F.Ev, Ev) && !contradicts(F.Conds, S.Conds))
            emit(ConflictKind::SendAfterClose, Ev, Thread, *F.Ev, F.Thread,
                 false);
    }
  }

  void onSpawn(int T, State &S, bool Report) {
    const ThreadStart &TS = Threads[T];
    if (Report) {
      // What the new thread does against what already happened...
      for (const ChanEvent &Ev : TS.Effects) {
        auto It = S.Closed.find(Ev.Key);
        if (It == S.Closed.end())
          continue;
        for (const CloseFact &F : It->second) {
          if (Ev.Kind == ChanOpKind::Close)
            emit(ConflictKind::DoubleClose, Ev, T, *F.Ev, F.Thread, false);
          else if (isSendOp(Ev.Kind))
            emit(ConflictKind::SendAfterClose, Ev, T, *F.Ev, F.Thread, false);
        }
      }
      // ...and against threads still running, including earlier instances
      // of itself started by the same loop.
      for (int U : S.Running)
        for (const ChanEvent &A : TS.Effects)
          for (const ChanEvent &B : Threads[U].Effects) {
            if (!(A.Key == B.Key))
              continue;
            if (A.Kind == ChanOpKind::Close && B.Kind == ChanOpKind::Close) {
              if (U == T && sends(TS, A.Key))
                continue; // reported as close with active senders below
              emit(ConflictKind::DoubleClose, A, T, B, U, true);
            } else if (A.Kind == ChanOpKind::Close && isSendOp(B.Kind)) {
              raceCloseSend(A, T, B, U);
            } else if (isSendOp(A.Kind) && B.Kind == ChanOpKind::Close) {
              raceCloseSend(B, U, A, T);
            }
          }
    }
    auto Pos = std::lower_bound(S.Running.begin(), S.Running.end(), T);
    if (Pos == S.Running.end() || *Pos != T)
      S.Running.insert(Pos, T);
  }

  FunctionContext &Ctx;
  const ModelSet &Models;
  const FunctionDecl *FD;
  ObjectResolver R;
  std::vector<ThreadStart> &Threads;
  std::vector<Conflict> &Conflicts;
  BodyFacts Facts;
  std::map<const CallExpr *, std::vector<ChanEvent>> CallEffects;
  std::map<const Stmt *, std::vector<ObjectKey>> LoopJoins;
  std::set<std::tuple<int, const Expr *, const Expr *, const Expr *,
                      const Expr *>>
      Seen;
};

} // namespace

ChannelFlow::ChannelFlow(FunctionContext &Ctx) {
  if (Ctx.function()->getBody())
    FlowAnalysis(Ctx, Threads, Conflicts).run();
}

} // namespace tether
