#include "ChannelFlow.h"
#include "AnalysisContext.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Analysis/CFG.h"

#include <algorithm>
#include <deque>
#include <set>

using namespace clang;

namespace tether {

using namespace chan;

// ---------------------------------------------------------------------------
// The flow's state.

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

// A blocking send of a detached thread that nobody has received yet on
// this path, and the receive that last gave up waiting for it.
struct PendingSend {
  int Thread;
  const ChanEvent *Send;
  const ChanEvent *GaveUp = nullptr;
  int GaveUpThread = -1; // where GaveUp runs, as Party::Thread
  bool operator==(const PendingSend &O) const {
    return Thread == O.Thread && Send == O.Send && GaveUp == O.GaveUp &&
           GaveUpThread == O.GaveUpThread;
  }
};

struct State {
  bool Reached = false;
  std::map<ObjectKey, std::vector<CloseFact>> Closed;
  std::vector<int> Running; // sorted
  CondMap Conds;            // sorted by decl
  std::vector<PendingSend> Pending;
  bool operator==(const State &O) const {
    return Reached == O.Reached && Closed == O.Closed &&
           Running == O.Running && Conds == O.Conds && Pending == O.Pending;
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
  for (const PendingSend &P : From.Pending) {
    auto It = std::find_if(Into.Pending.begin(), Into.Pending.end(),
                           [&](const PendingSend &X) {
                             return X.Thread == P.Thread && X.Send == P.Send;
                           });
    if (It == Into.Pending.end())
      Into.Pending.push_back(P);
    else if (!It->GaveUp) {
      It->GaveUp = P.GaveUp;
      It->GaveUpThread = P.GaveUpThread;
    }
  }
}

} // namespace

// ---------------------------------------------------------------------------
// The solver: fills a ChannelFlow's threads, pairs and stuck sends.

class ChannelFlowSolver {
public:
  explicit ChannelFlowSolver(FunctionAnalyses &Ctx, ChannelFlow &Out)
      : Ctx(Ctx), Models(Ctx.tu().Models), FD(Ctx.function()),
        R(FD->getBody()), Out(Out), Facts(Out.Facts), Threads(Out.Threads),
        CallEffects(Out.CallEffects) {}

  void run() {
    const Stmt *Body = FD->getBody();
    Facts = collectFacts(Body, Ctx.tu(), R, Ctx.spawns());
    SummaryCache &Cache = Ctx.tu().summaries();
    for (const SpawnRec &Sp : Facts.Spawns) {
      ThreadStart T;
      T.Spawn = Sp.Site.Expr;
      T.Model = Sp.Site.Model;
      T.Handle = Sp.Handle;
      T.GroupHandle = Sp.Group;
      T.Detached = Sp.Detached;
      T.Body = spawnBody(Sp.Site);
      if (!T.Body && Sp.Site.Callable)
        // A thread function defined in another TU, known to the link phase.
        if (const auto *DR =
                dyn_cast<DeclRefExpr>(stripWrappers(Sp.Site.Callable)))
          if (const auto *Fn = dyn_cast<FunctionDecl>(DR->getDecl()))
            T.Body = summaryDecl(Fn, Ctx.tu().Linked);
      T.Callable = Sp.Site.Callable;
      T.Effects = threadEffects(Cache, Sp.Site, T.Body, R);
      Threads.push_back(std::move(T));
    }
    findLoopJoins();
    for (ThreadStart &T : Threads)
      if (T.Handle)
        for (const ObjectKey &K : Facts.Detached)
          if (*T.Handle == K)
            T.Detached = true;
    for (const CallExpr *Call : Facts.Calls) {
      const FunctionDecl *Def =
          summaryDecl(Call->getDirectCallee(), Ctx.tu().Linked);
      if (!Def)
        continue;
      auto [Args, Object] = callArgs(Call);
      std::vector<ChanEvent> Mapped;
      auto DIt = Facts.CallDest.find(Call);
      appendMapped(Mapped, Cache.get(Def).Events, Def, Args, Object, Call, R,
                   DIt == Facts.CallDest.end() ? nullptr : &DIt->second);
      if (!Mapped.empty())
        CallEffects[Call] = std::move(Mapped);
    }
    if (Facts.Ops.empty() && Threads.empty() && CallEffects.empty())
      return; // nothing to do with channels: skip the CFG entirely

    const CFG *G = Ctx.cfg(CFGKind::ImplicitDtors);
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

  void solve(const CFG &G) {
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
    // Sends still waiting for a receiver when the function returns.
    const State &Exit = In[G.getExit().getBlockID()];
    if (Exit.Reached)
      for (const PendingSend &P : Exit.Pending)
        Out.Stuck.push_back(
            {Party{P.Send, P.Thread}, P.GaveUp, P.GaveUpThread});
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
    if (const ChanEvent *Got = receivedOnEdge(E, CondValue))
      llvm::erase_if(S.Pending, [&](const PendingSend &P) {
        return P.Send->Key == Got->Key;
      });
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

  // A timed or try receive (or a variable holding its status) in E.
  const ChanEvent *receiveIn(const Expr *E) const {
    E = stripWrappers(E);
    if (const auto *DR = dyn_cast<DeclRefExpr>(E))
      if (const auto *VD = dyn_cast<VarDecl>(DR->getDecl()))
        if (VD->getInit() && !R.isReassigned(VD))
          E = stripWrappers(VD->getInit());
    auto It = Facts.OpIndex.find(E);
    if (It == Facts.OpIndex.end())
      return nullptr;
    const ChanEvent &Ev = Facts.Ops[It->second];
    return Ev.Kind == ChanOpKind::TimedReceive ||
                   Ev.Kind == ChanOpKind::TryReceive
               ? &Ev
               : nullptr;
  }

  // The receive whose value certainly arrived when E has value V:
  // `if (ch.try_pop(v))`, `r == channel_op_status::success`,
  // `ch.pop_wait_for(v, t) != timeout`.
  const ChanEvent *receivedOnEdge(const Expr *E, bool V) const {
    if (const ChanEvent *Direct = receiveIn(E))
      return Direct->Model ? (V ? Direct : nullptr) : nullptr;
    const Expr *L = nullptr, *Rhs = nullptr;
    bool Eq = false;
    if (const auto *BO = dyn_cast<BinaryOperator>(E)) {
      if (BO->getOpcode() != BO_EQ && BO->getOpcode() != BO_NE)
        return nullptr;
      L = BO->getLHS();
      Rhs = BO->getRHS();
      Eq = BO->getOpcode() == BO_EQ;
    } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
      if ((Op->getOperator() != OO_EqualEqual &&
           Op->getOperator() != OO_ExclaimEqual) ||
          Op->getNumArgs() != 2)
        return nullptr;
      L = Op->getArg(0);
      Rhs = Op->getArg(1);
      Eq = Op->getOperator() == OO_EqualEqual;
    } else {
      return nullptr;
    }
    const ChanEvent *Rcv = receiveIn(L);
    const Expr *Other = Rhs;
    if (!Rcv) {
      Rcv = receiveIn(Rhs);
      Other = L;
    }
    const auto *DR = dyn_cast<DeclRefExpr>(Other->IgnoreParenImpCasts());
    const auto *EC = DR ? dyn_cast<EnumConstantDecl>(DR->getDecl()) : nullptr;
    if (!Rcv || !EC)
      return nullptr;
    bool Holds = Eq == V; // the status equals EC on this edge
    bool IsSuccess = Rcv->Model && isSuccessStatus(EC, *Rcv->Model);
    return (IsSuccess ? Holds : !Holds) ? Rcv : nullptr;
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
    if (auto K = forEachJoin(E, R, Models)) {
      join(S, *K);
      return;
    }
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      auto It = CallEffects.find(Call);
      if (It != CallEffects.end())
        for (const ChanEvent &Ev : It->second)
          onEvent(Ev, -1, S, Report);
      if (requestsStop(Call))
        S.Pending.clear(); // a sender watching the token is released
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
        int Index = *It;
        llvm::erase_if(S.Pending, [&](const PendingSend &P) {
          return P.Thread == Index;
        });
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

  // The close of a channel that is `request_stop()`-like: a call on a
  // cancellation source.
  bool requestsStop(const CallExpr *Call) const {
    const auto *MC = dyn_cast<CXXMemberCallExpr>(Call);
    if (!MC || !MC->getMethodDecl() || !MC->getMethodDecl()->getIdentifier())
      return false;
    const CXXRecordDecl *RD =
        designatedRecord(MC->getImplicitObjectArgument()->getType());
    if (!RD)
      return false;
    const CancelSourceModel *M = Models.cancelSourceForType(modelName(RD));
    if (!M)
      return false;
    StringRef N = MC->getMethodDecl()->getName();
    return llvm::is_contained(M->Request, N);
  }

  // A blocking send in a detached thread on a channel created here, which
  // the buffer cannot absorb: it waits for this function to receive.
  bool mayBlockForever(const ThreadStart &T, const ChanEvent &Send) const {
    if (Send.Kind != ChanOpKind::Send)
      return false;
    bool Detached = T.Detached || (T.Model && !T.Model->Methods.empty());
    if (!Detached || !Out.owned(Send.Key))
      return false;
    const auto *VD = cast<VarDecl>(Send.Key.Root);
    if (Send.Model && Send.Model->ClosesOnDestruction &&
        designatedRecord(VD->getType()) ==
            VD->getType().getNonReferenceType()->getAsCXXRecordDecl())
      return false; // the owner's scope end closes it (and the sender then
                    // touches a dead object: thread-leak's business)
    // Nobody else receives from it.
    for (const ThreadStart &U : Threads)
      for (const ChanEvent &Ev : U.Effects)
        if (isReceiveOp(Ev.Kind) && Ev.Key == Send.Key)
          return false;
    std::optional<uint64_t> Cap =
        usableCapacity(cast<VarDecl>(Send.Key.Root), Send.Model, Models,
                       Ctx.ast());
    if (!Cap)
      return false;
    uint64_t Count = 0;
    for (const ChanEvent &Ev : T.Effects)
      if (isSendOp(Ev.Kind) && Ev.Key == Send.Key) {
        if (Ev.Kind != ChanOpKind::Send)
          return false; // the thread also uses try/timed sends: unsure
        Count += Ev.InLoop ? uint64_t(1) << 32 : 1;
      }
    if (Count >= (uint64_t(1) << 32) && *Cap > 0)
      return false; // a loop against a buffer: depends on the trip count
    return Count > *Cap;
  }

  bool perIteration(const ObjectKey &K, const ThreadStart &T) const {
    const auto *VD = dyn_cast_or_null<VarDecl>(K.Root);
    if (!VD || K.ThisBased)
      return false;
    auto L = Facts.DeclLoop.find(VD);
    auto SL = Facts.SpawnLoops.find(T.Spawn);
    return L != Facts.DeclLoop.end() && SL != Facts.SpawnLoops.end() &&
           llvm::is_contained(SL->second, L->second);
  }

  // A close that runs after the closer joined thread U (a closer thread
  // that waits for the senders first).
  // A close that waited on a latch thread U counts down (Go's WaitGroup:
  // every sender counts down after its sends) also runs after U's sends.
  bool joinedBefore(const ChanEvent &Close, int U) const {
    const ThreadStart &T = Threads[U];
    if (T.Handle && llvm::is_contained(Close.JoinedBefore, *T.Handle))
      return true;
    if (Close.JoinedBefore.empty() || !T.Body || !T.Body->hasBody())
      return false;
    auto It = CountedDown.find(U);
    if (It == CountedDown.end()) {
      llvm::SmallVector<ObjectKey, 2> Latches;
      ObjectResolver BodyR(T.Body->getBody());
      latchesCountedDown(T.Body->getBody(), BodyR, Models, Latches);
      It = CountedDown.try_emplace(U, std::move(Latches)).first;
    }
    return llvm::any_of(It->second, [&](const ObjectKey &L) {
      return llvm::is_contained(Close.JoinedBefore, L);
    });
  }
  // Per thread: the latches its body counts down (computed once).
  mutable llvm::DenseMap<int, llvm::SmallVector<ObjectKey, 2>> CountedDown;

  // Two events replayed from one call's summary: their order inside the
  // callee is not known here, and the callee's own analysis reports its
  // internal conflicts.
  static bool sameCall(const ChanEvent &A, const ChanEvent &B) {
    return A.Site == B.Site && A.Site != A.Op && B.Site != B.Op;
  }

  void pair(EventPair::OrderKind Order, Party Later, Party Earlier,
            bool JoinsFirst = false, bool Releases = false) {
    auto Key = std::make_tuple(int(Order), Later.Ev, Later.Thread, Earlier.Ev,
                               Earlier.Thread, JoinsFirst, Releases);
    if (Seen.insert(Key).second)
      Out.Pairs.push_back({Order, Later, Earlier, JoinsFirst, Releases});
  }

  void onEvent(const ChanEvent &Ev, int Thread, State &S, bool Report) {
    if (Ev.Kind == ChanOpKind::Escape)
      return;
    // A close after the receiver gave up on a detached sender's value is
    // the wake-up that releases it.
    llvm::SmallVector<int, 2> Waking;
    if (Ev.Kind == ChanOpKind::Close)
      for (const PendingSend &P : S.Pending)
        if (P.Send->Key == Ev.Key && P.GaveUp)
          Waking.push_back(P.Thread);
    if (Ev.Kind == ChanOpKind::Receive || Ev.Kind == ChanOpKind::Close)
      llvm::erase_if(S.Pending, [&](const PendingSend &P) {
        return P.Send->Key == Ev.Key;
      });
    else if (Ev.Kind == ChanOpKind::TimedReceive ||
             Ev.Kind == ChanOpKind::TryReceive)
      for (PendingSend &P : S.Pending)
        if (P.Send->Key == Ev.Key) {
          P.GaveUp = &Ev;
          P.GaveUpThread = Thread;
        }
    if (isSendOp(Ev.Kind) && Report)
      for (int T : S.Running)
        for (const ChanEvent &TE : Threads[T].Effects)
          if (TE.Key == Ev.Key && TE.Kind == ChanOpKind::Close)
            pair(EventPair::Concurrent, {&Ev, Thread}, {&TE, T});
    if (Ev.Kind == ChanOpKind::Close) {
      if (Report) {
        auto It = S.Closed.find(Ev.Key);
        if (It != S.Closed.end())
          for (const CloseFact &F : It->second)
            if (F.Ev != &Ev && !sameCall(*F.Ev, Ev) &&
                !contradicts(F.Conds, S.Conds))
              pair(EventPair::AfterClose, {&Ev, Thread}, {F.Ev, F.Thread});
        for (int T : S.Running)
          for (const ChanEvent &TE : Threads[T].Effects)
            if (TE.Key == Ev.Key &&
                (TE.Kind == ChanOpKind::Close || isSendOp(TE.Kind)))
              pair(EventPair::Concurrent, {&Ev, Thread}, {&TE, T},
                   /*JoinsFirst=*/false, llvm::is_contained(Waking, T));
      }
      addClose(S, &Ev, Thread);
      return;
    }
    if (isSendOp(Ev.Kind) && Report) {
      auto It = S.Closed.find(Ev.Key);
      if (It != S.Closed.end())
        for (const CloseFact &F : It->second)
          if (!sameCall(*F.Ev, Ev) && !contradicts(F.Conds, S.Conds))
            pair(EventPair::AfterClose, {&Ev, Thread}, {F.Ev, F.Thread});
    }
  }

  void onSpawn(int T, State &S, bool Report) {
    const ThreadStart &TS = Threads[T];
    if (Report) {
      // What the new thread does against what already happened...
      for (const ChanEvent &Ev : TS.Effects) {
        if (Ev.Kind != ChanOpKind::Close && !isSendOp(Ev.Kind))
          continue;
        auto It = S.Closed.find(Ev.Key);
        if (It == S.Closed.end())
          continue;
        for (const CloseFact &F : It->second)
          pair(EventPair::AfterClose, {&Ev, T}, {F.Ev, F.Thread});
      }
      // ...and against threads still running, including earlier instances
      // of itself started by the same loop.
      for (int U : S.Running)
        for (const ChanEvent &A : TS.Effects)
          for (const ChanEvent &B : Threads[U].Effects) {
            if (!(A.Key == B.Key))
              continue;
            // Earlier instances of a thread started in a loop work on their
            // own iteration's channel when it is declared in the loop.
            if (U == T && perIteration(A.Key, TS))
              continue;
            bool ACloses = A.Kind == ChanOpKind::Close;
            bool BCloses = B.Kind == ChanOpKind::Close;
            if ((ACloses && (BCloses || isSendOp(B.Kind))) ||
                (isSendOp(A.Kind) && BCloses))
              pair(EventPair::Concurrent, {&A, T}, {&B, U},
                   ACloses && joinedBefore(A, U));
          }
    }
    auto Pos = std::lower_bound(S.Running.begin(), S.Running.end(), T);
    if (Pos == S.Running.end() || *Pos != T)
      S.Running.insert(Pos, T);
    // One pending send per sender and channel: its last blocking send (the
    // first one the buffer cannot take is not known; the last one is).
    for (size_t I = 0; I < TS.Effects.size(); ++I) {
      const ChanEvent &Ev = TS.Effects[I];
      bool Later = false;
      for (size_t J = I + 1; J < TS.Effects.size(); ++J)
        Later |= TS.Effects[J].Kind == ChanOpKind::Send &&
                 TS.Effects[J].Key == Ev.Key;
      if (!Later && mayBlockForever(TS, Ev)) {
        bool Have = llvm::any_of(S.Pending, [&](const PendingSend &P) {
          return P.Thread == T && P.Send == &Ev;
        });
        if (!Have)
          S.Pending.push_back({T, &Ev, nullptr});
      }
    }
  }

  FunctionAnalyses &Ctx;
  const ModelSet &Models;
  const FunctionDecl *FD;
  ObjectResolver R;
  ChannelFlow &Out;
  BodyFacts &Facts;
  std::vector<ThreadStart> &Threads;
  std::map<const CallExpr *, std::vector<ChanEvent>> &CallEffects;
  std::map<const Stmt *, std::vector<ObjectKey>> LoopJoins;
  std::set<std::tuple<int, const ChanEvent *, int, const ChanEvent *, int,
                      bool, bool>>
      Seen;
};

// ---------------------------------------------------------------------------
// The questions.

ChannelFlow::ChannelFlow(FunctionAnalyses &Ctx)
    : TU(Ctx.tu()), FD(Ctx.function()) {
  if (FD && FD->getBody())
    ChannelFlowSolver(Ctx, *this).run();
}

ChannelFlow::~ChannelFlow() = default;

void ChannelFlow::events(llvm::function_ref<void(const Party &)> Fn) const {
  for (const ChanEvent &Ev : Facts.Ops)
    Fn({&Ev, -1});
  for (const ChanEvent &Ev : Facts.Escapes)
    Fn({&Ev, -1});
  for (const auto &[Call, Evs] : CallEffects)
    for (const ChanEvent &Ev : Evs)
      Fn({&Ev, -1});
  for (size_t T = 0; T < Threads.size(); ++T)
    for (const ChanEvent &Ev : Threads[T].Effects)
      Fn({&Ev, int(T)});
}

void ChannelFlow::events(const ObjectKey &K,
                         llvm::function_ref<void(const Party &)> Fn) const {
  events([&](const Party &P) {
    if (P.Ev->Key == K)
      Fn(P);
  });
}

// The events of one party: a thread's effects, or (-1) the function's own
// operations and its callees'.
template <typename Pred>
static bool anyOf(const ChannelFlow &Flow, int Thread, const ObjectKey &K,
                  Pred P) {
  bool Found = false;
  Flow.events(K, [&](const Party &E) {
    Found |= E.Thread == Thread && E.Ev->Kind != ChanOpKind::Escape &&
             P(*E.Ev);
  });
  return Found;
}

bool ChannelFlow::sends(int Thread, const ObjectKey &K) const {
  return anyOf(*this, Thread, K,
               [](const ChanEvent &Ev) { return isSendOp(Ev.Kind); });
}

bool ChannelFlow::consumes(int Thread, const ObjectKey &K) const {
  return anyOf(*this, Thread, K, [](const ChanEvent &Ev) {
    return Ev.Kind == ChanOpKind::Receive ||
           Ev.Kind == ChanOpKind::TimedReceive;
  });
}

bool ChannelFlow::closesOnce(int Thread, const ObjectKey &K) const {
  return Thread >= 0 && anyOf(*this, Thread, K, [](const ChanEvent &Ev) {
           return Ev.Kind == ChanOpKind::Close && Ev.Once;
         });
}

bool ChannelFlow::owned(const ObjectKey &K) const {
  if (!K.Path.empty() || K.ThisBased || K.Ret)
    return false;
  const auto *VD = dyn_cast_or_null<VarDecl>(K.Root);
  if (!VD || isa<ParmVarDecl>(VD) || !VD->hasLocalStorage() ||
      Facts.NotFresh.contains(VD) || !holdsChannel(VD->getType(), TU.Models))
    return false;
  bool Local = false;
  for (const DeclContext *DC = VD->getDeclContext(); DC; DC = DC->getParent())
    if (DC == FD)
      Local = true;
  if (!Local)
    return false;
  bool Escaped = false;
  events(K, [&](const Party &P) {
    Escaped |= P.Ev->Kind == ChanOpKind::Escape;
  });
  return !Escaped;
}

std::optional<bool> ChannelFlow::membersClose(const ObjectKey &K) const {
  const auto *MD = dyn_cast_or_null<CXXMethodDecl>(FD);
  if (!MD)
    return std::nullopt;
  SummaryCache &Cache = TU.summaries();
  for (const CXXMethodDecl *M : MD->getParent()->methods()) {
    if (M->isDeleted() ||
        (M->isDefaulted() && !M->doesThisDeclarationHaveABody()))
      continue;
    if (M->isImplicit())
      continue;
    const FunctionDecl *Def = summaryDecl(M, TU.Linked);
    if (!Def) {
      if (!M->hasBody())
        return std::nullopt; // defined somewhere the analysis does not see
      continue;
    }
    for (const ChanEvent &Ev : Cache.get(Def).Events)
      if (Ev.Key == K && (Ev.Kind == ChanOpKind::Close ||
                          Ev.Kind == ChanOpKind::ReceiverCancel ||
                          Ev.Kind == ChanOpKind::Escape))
        return true;
  }
  return false;
}

} // namespace tether
