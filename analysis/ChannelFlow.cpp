#include "ChannelFlow.h"
#include "Facts.h"
#include "AnalysisContext.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Analysis/CFG.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Index/USRGeneration.h"

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
  // Calls into user functions defined in another TU (no body here).
  std::vector<const CallExpr *> ExtCalls;
  std::map<const VarDecl *, ObjectKey> RangeVars; // loop var -> container
  std::vector<const Stmt *> Loops;
  // Uses of channel-holding variables and members (DeclRefExpr or
  // this->member), with the lambda whose capture they initialise.
  std::vector<std::pair<const Expr *, const LambdaExpr *>> ChanRefs;
  llvm::DenseSet<const Expr *> Covered; // uses the analysis understands
  llvm::DenseSet<const LambdaExpr *> AnalysedLambdas;
  std::vector<ChanEvent> Escapes; // uses it does not: the fate is unknown
  // Local channel-holding variables the function returns.
  llvm::DenseSet<const VarDecl *> ReturnedLocals;
  bool ReturnsForeign = false; // returns a channel it did not create
  // Local channel-holding variables whose object did not start here (copied
  // from something the analysis cannot name).
  llvm::DenseSet<const VarDecl *> NotFresh;
  // A call whose result initialises a local: the callee's returned channel
  // is that local.
  std::map<const CallExpr *, ObjectKey> CallDest;
  // Handles detached anywhere in the body (`t.detach()`).
  std::vector<ObjectKey> Detached;
  // Variables declared inside a loop (a new object each iteration), and the
  // loops around each spawn.
  llvm::DenseMap<const VarDecl *, const Stmt *> DeclLoop;
  llvm::DenseMap<const Expr *, llvm::SmallVector<const Stmt *, 2>> SpawnLoops;
};

// A callee whose body the analysis follows: user code. Library internals
// (system headers) are described by the models instead.
bool summarisable(const FunctionDecl *Callee) {
  const FunctionDecl *Def = nullptr;
  if (!Callee || Callee->isInStdNamespace() || !Callee->hasBody(Def))
    return false;
  const SourceManager &SM = Def->getASTContext().getSourceManager();
  return !SM.isInSystemHeader(Def->getLocation());
}

// A user function declared here and defined in another TU.
bool externalUserFunction(const FunctionDecl *Callee) {
  if (!Callee || Callee->isInStdNamespace() || Callee->hasBody() ||
      Callee->isDependentContext() || Callee->getBuiltinID())
    return false;
  const SourceManager &SM = Callee->getASTContext().getSourceManager();
  return !SM.isInSystemHeader(Callee->getLocation());
}

// The declaration whose summary describes a call's callee: its definition
// here, or (second pass) its canonical declaration when the link phase
// knows it. Null when neither.
const FunctionDecl *summaryDecl(const FunctionDecl *Callee,
                                const LinkedSummaries *Linked) {
  if (summarisable(Callee)) {
    const FunctionDecl *Def = nullptr;
    Callee->hasBody(Def);
    return Def;
  }
  if (Linked && externalUserFunction(Callee) &&
      Linked->events(usrOf(Callee->getCanonicalDecl())))
    return Callee->getCanonicalDecl();
  return nullptr;
}

bool isLoop(const Stmt *S) {
  return isa<ForStmt, WhileStmt, CXXForRangeStmt, DoStmt>(S);
}

// Does Branch leave the loop it is in (break not inside an inner loop or
// switch, or return)?
bool leavesLoop(const Stmt *Branch) {
  if (!Branch)
    return false;
  if (isa<BreakStmt, ReturnStmt, CXXThrowExpr>(Branch))
    return true;
  if (isLoop(Branch) || isa<SwitchStmt, LambdaExpr>(Branch))
    return false;
  for (const Stmt *C : Branch->children())
    if (leavesLoop(C))
      return true;
  return false;
}

// The statements that leave the loop whose body is S: breaks not inside an
// inner loop or switch, returns, throws. Lambdas are not entered.
unsigned countExits(const Stmt *S) {
  if (!S)
    return 0;
  if (isa<BreakStmt, ReturnStmt, CXXThrowExpr>(S))
    return 1;
  if (isa<LambdaExpr>(S))
    return 0;
  bool Inner = isLoop(S) || isa<SwitchStmt>(S);
  unsigned N = 0;
  for (const Stmt *C : S->children()) {
    if (Inner && isa_and_nonnull<BreakStmt>(C))
      continue;
    if (Inner && C && !isa<ReturnStmt, CXXThrowExpr>(C)) {
      // Inside an inner loop only returns and throws leave ours.
      std::vector<const Stmt *> Work{C};
      while (!Work.empty()) {
        const Stmt *X = Work.back();
        Work.pop_back();
        if (!X || isa<LambdaExpr>(X))
          continue;
        if (isa<ReturnStmt, CXXThrowExpr>(X))
          ++N;
        for (const Stmt *Y : X->children())
          Work.push_back(Y);
      }
      continue;
    }
    N += countExits(C);
  }
  return N;
}

// A condition that is true for exactly one caller: a decrement, an atomic
// read-modify-write or compare-exchange.
bool hasCounterStep(const Stmt *S) {
  if (!S || isa<LambdaExpr>(S))
    return false;
  if (const auto *UO = dyn_cast<UnaryOperator>(S))
    if (UO->isIncrementDecrementOp())
      return true;
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S))
    if (Op->getOperator() == OO_MinusMinus || Op->getOperator() == OO_PlusPlus)
      return true;
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S))
    if (const CXXMethodDecl *MD = MC->getMethodDecl())
      if (MD->getIdentifier() &&
          (MD->getName() == "fetch_sub" || MD->getName() == "fetch_add"))
        return true;
  for (const Stmt *C : S->children())
    if (hasCounterStep(C))
      return true;
  return false;
}

// A condition that is true for exactly one caller: an atomic exchange or
// compare-exchange, or a counter step compared for equality
// (`live.fetch_sub(1) == 1`, `--pending == 0`, `!--n`).
bool isOnceCondition(const Stmt *S) {
  if (!S || isa<LambdaExpr>(S))
    return false;
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S))
    if (const CXXMethodDecl *MD = MC->getMethodDecl())
      if (MD->getIdentifier()) {
        StringRef N = MD->getName();
        if (N == "exchange" || N == "test_and_set" ||
            N.starts_with("compare_exchange"))
          return true;
      }
  if (const auto *BO = dyn_cast<BinaryOperator>(S))
    if (BO->getOpcode() == BO_EQ &&
        (hasCounterStep(BO->getLHS()) || hasCounterStep(BO->getRHS())))
      return true;
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S))
    if (Op->getOperator() == OO_EqualEqual && hasCounterStep(Op))
      return true;
  if (const auto *UO = dyn_cast<UnaryOperator>(S))
    if (UO->getOpcode() == UO_LNot && hasCounterStep(UO->getSubExpr()))
      return true;
  for (const Stmt *C : S->children())
    if (isOnceCondition(C))
      return true;
  return false;
}

// A variable or member whose type holds a channel (directly, by pointer,
// reference or smart pointer).
bool holdsChannel(QualType T, const ModelSet &Models) {
  return !T.isNull() && channelModelOf(T, Models) != nullptr;
}

// `make_shared<Chan>(…)`, `new Chan(…)`, `Chan ch(…)`: the initialiser
// creates the channel.
bool createsChannel(const Expr *Init) {
  if (!Init)
    return false;
  Init = Init->IgnoreParenImpCasts();
  if (const auto *EWC = dyn_cast<ExprWithCleanups>(Init))
    Init = EWC->getSubExpr()->IgnoreParenImpCasts();
  while (const auto *B = dyn_cast<CXXBindTemporaryExpr>(Init))
    Init = B->getSubExpr()->IgnoreParenImpCasts();
  if (const auto *MT = dyn_cast<MaterializeTemporaryExpr>(Init))
    Init = MT->getSubExpr()->IgnoreParenImpCasts();
  if (isa<CXXNewExpr>(Init))
    return true;
  if (const auto *CE = dyn_cast<CXXConstructExpr>(Init)) {
    const CXXRecordDecl *RD = CE->getType()->getAsCXXRecordDecl();
    bool Direct = RD && designatedRecord(CE->getType()) == RD;
    if (CE->getConstructor()->isCopyOrMoveConstructor())
      return !Direct && CE->getNumArgs() == 1 && createsChannel(CE->getArg(0));
    if (Direct)
      return true;
    // shared_ptr<Chan>(new Chan(…))
    return CE->getNumArgs() >= 1 && createsChannel(CE->getArg(0));
  }
  if (const auto *Call = dyn_cast<CallExpr>(Init))
    if (const FunctionDecl *FD = Call->getDirectCallee())
      if (FD->isInStdNamespace() && FD->getIdentifier() &&
          (FD->getName() == "make_shared" || FD->getName() == "make_unique" ||
           FD->getName() == "allocate_shared"))
        return true;
  return false;
}

// The call whose returned channel an initialiser designates: `gen()`,
// `*gen()`.
const CallExpr *generatorCall(const Expr *E) {
  if (!E)
    return nullptr;
  E = stripWrappers(E);
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    if (UO->getOpcode() == UO_Deref)
      return generatorCall(UO->getSubExpr());
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E))
    if (Op->getOperator() == OO_Star && Op->getNumArgs() == 1)
      return generatorCall(Op->getArg(0));
  const auto *Call = dyn_cast<CallExpr>(E);
  if (!Call || isa<CXXOperatorCallExpr>(Call))
    return nullptr;
  const FunctionDecl *FD = Call->getDirectCallee();
  if (!FD || FD->isInStdNamespace())
    return nullptr;
  return Call;
}

bool summarisableCall(const CallExpr *Call, const LinkedSummaries *Linked) {
  return Call && summaryDecl(Call->getDirectCallee(), Linked);
}

// `std::for_each(ts.begin(), ts.end(), [](auto &t) { t.join(); })` (or
// std::ranges::for_each(ts, …)): the container whose threads are joined.
std::optional<ObjectKey> forEachJoin(const Expr *E, const ObjectResolver &R,
                                     const ModelSet &Models) {
  const auto *Call = dyn_cast<CallExpr>(stripWrappers(E));
  const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
  if (!FD || !FD->getIdentifier() || FD->getName() != "for_each" ||
      !FD->isInStdNamespace() || Call->getNumArgs() < 2)
    return std::nullopt;
  const auto *L =
      dyn_cast<LambdaExpr>(stripWrappers(Call->getArg(Call->getNumArgs() - 1)));
  if (!L || L->getCallOperator()->getNumParams() != 1)
    return std::nullopt;
  const ParmVarDecl *P = L->getCallOperator()->getParamDecl(0);
  const Stmt *Body = L->getBody();
  if (const auto *CS = dyn_cast<CompoundStmt>(Body))
    Body = CS->size() == 1 ? CS->body_front() : nullptr;
  const auto *JE = dyn_cast_or_null<Expr>(Body);
  auto HOp = JE ? matchHandleOp(JE, Models) : std::nullopt;
  if (!HOp || HOp->Kind != HandleOpKind::Join)
    return std::nullopt;
  const auto *DR = dyn_cast<DeclRefExpr>(stripWrappers(HOp->Object));
  if (!DR || DR->getDecl() != P)
    return std::nullopt;
  const Expr *Range = stripWrappers(Call->getArg(0));
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Range)) // ts.begin()
    Range = MC->getImplicitObjectArgument();
  else if (const auto *BC = dyn_cast<CallExpr>(Range);     // std::begin(ts)
           BC && BC->getNumArgs() == 1)
    Range = BC->getArg(0);
  return R.keyOf(Range);
}

// The latch or barrier a wait group's call operates on: `done.wait()`
// (Wait) or `done.count_down()` (!Wait), on a blocking model with `arrive`
// methods.
static const Expr *latchCall(const Expr *E, const ModelSet &Models,
                             bool Wait) {
  auto S = callShape(stripWrappers(E));
  if (!S || !S->IsMember || !S->Object)
    return nullptr;
  const CXXRecordDecl *RD =
      designatedRecord(S->Object->IgnoreParenImpCasts()->getType());
  if (!RD)
    return nullptr;
  std::string Type = modelName(RD);
  if (Wait) {
    const BlockingModel *B = Models.blockingForMethod(Type, S->Name);
    return B && !B->Arrive.empty() ? S->Object : nullptr;
  }
  return Models.arriveForMethod(Type, S->Name) ? S->Object : nullptr;
}
static const Expr *latchWaited(const Expr *E, const ModelSet &Models) {
  return latchCall(E, Models, true);
}

// Keys of the latches a body counts down (outside the lambdas it creates).
static void latchesCountedDown(const Stmt *S, const ObjectResolver &R,
                               const ModelSet &Models,
                               llvm::SmallVectorImpl<ObjectKey> &Out) {
  if (!S || isa<LambdaExpr>(S))
    return;
  if (const auto *E = dyn_cast<Expr>(S))
    if (const Expr *L = latchCall(E, Models, false))
      if (auto K = R.keyOf(L))
        Out.push_back(*K);
  for (const Stmt *C : S->children())
    latchesCountedDown(C, R, Models, Out);
}

// The thread handle (or handle container) a join's object designates:
// `t`, `workers[i]`, the range variable of `for (auto &t : workers)`.
std::optional<ObjectKey>
joinedHandle(const Expr *Obj, const ObjectResolver &R,
             const std::map<const VarDecl *, ObjectKey> &RangeVars) {
  const Expr *E = stripWrappers(Obj);
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E))
    if (Op->getOperator() == OO_Subscript)
      return R.keyOf(Op->getArg(0));
  if (const auto *DR = dyn_cast<DeclRefExpr>(E))
    if (const auto *VD = dyn_cast<VarDecl>(DR->getDecl())) {
      auto It = RangeVars.find(VD);
      if (It != RangeVars.end())
        return It->second;
    }
  return R.keyOf(Obj);
}

bool isWrapper(const Stmt *S) {
  return isa<ImplicitCastExpr, ParenExpr, MaterializeTemporaryExpr,
             CXXBindTemporaryExpr, ExprWithCleanups, CXXFunctionalCastExpr>(S) ||
         (isa<CXXConstructExpr>(S) &&
          cast<CXXConstructExpr>(S)->getNumArgs() == 1 &&
          cast<CXXConstructExpr>(S)->getConstructor()->isCopyOrMoveConstructor());
}

class BodyWalker {
public:
  BodyWalker(TUContext &TU, const ObjectResolver &R, BodyFacts &F)
      : TU(TU), Models(TU.Models), R(R), F(F) {}

  void walk(const Stmt *S, bool ValueUsed, bool InTry) {
    if (!S)
      return;
    Stack.push_back(S);
    visit(S, ValueUsed, InTry);
    if (const auto *L = dyn_cast<LambdaExpr>(S)) {
      // Captures are evaluated here; the body runs elsewhere (a thread, or
      // wherever the lambda is called) and is summarised on its own.
      const LambdaExpr *Outer = CaptureOf;
      CaptureOf = L;
      for (const Expr *Init : L->capture_inits())
        walk(Init, true, InTry);
      CaptureOf = Outer;
    } else if (const auto *Try = dyn_cast<CXXTryStmt>(S)) {
      walk(Try->getTryBlock(), false, true);
      for (unsigned I = 0; I < Try->getNumHandlers(); ++I)
        walk(Try->getHandler(I), false, InTry);
    } else if (const auto *CS = dyn_cast<CompoundStmt>(S)) {
      // Joins that run unconditionally before a statement order it after
      // the joined threads.
      size_t Mark = Joined.size();
      unsigned OnceMark = OnceDepth;
      for (const Stmt *Child : CS->body()) {
        walk(Child, false, InTry);
        noteJoins(Child);
        // `if (stopped_.exchange(true)) return;` guards what follows.
        if (const auto *If = dyn_cast<IfStmt>(Child))
          if (isOnceCondition(If->getCond()) && leavesLoop(If->getThen()))
            ++OnceDepth;
      }
      OnceDepth = OnceMark;
      Joined.resize(Mark);
    } else if (const auto *If = dyn_cast<IfStmt>(S);
               If && isOnceCondition(If->getCond())) {
      walk(If->getInit(), false, InTry);
      walk(If->getConditionVariableDeclStmt(), false, InTry);
      walk(If->getCond(), true, InTry);
      ++OnceDepth;
      walk(If->getThen(), false, InTry);
      walk(If->getElse(), false, InTry);
      --OnceDepth;
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

  // After the walk: uses of channels that no known construct explains are
  // escapes.
  void finish() {
    for (const auto &[E, Lambda] : F.ChanRefs) {
      if (F.Covered.contains(E))
        continue;
      if (Lambda && F.AnalysedLambdas.contains(Lambda))
        continue;
      if (auto K = R.keyOf(E)) {
        ChanEvent Ev{ChanOpKind::Escape, *K, nullptr, E, E, nullptr, false};
        F.Escapes.push_back(std::move(Ev));
      }
    }
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

  const Stmt *innermostLoop() const {
    for (size_t I = Stack.size(); I-- > 0;) {
      if (isa<LambdaExpr>(Stack[I]))
        return nullptr;
      if (isLoop(Stack[I]))
        return Stack[I];
    }
    return nullptr;
  }

  // `while (true)`, `for (;;)`, `do … while (true)` with no break, return,
  // throw or goto out of it.
  bool endless(const Stmt *Loop) const {
    const Expr *Cond = nullptr;
    const Stmt *Body = nullptr;
    if (const auto *W = dyn_cast<WhileStmt>(Loop)) {
      Cond = W->getCond();
      Body = W->getBody();
    } else if (const auto *Fr = dyn_cast<ForStmt>(Loop)) {
      Cond = Fr->getCond();
      Body = Fr->getBody();
    } else if (const auto *D = dyn_cast<DoStmt>(Loop)) {
      Cond = D->getCond();
      Body = D->getBody();
    } else {
      return false;
    }
    if (Cond) {
      bool Value = false;
      if (Cond->isValueDependent() ||
          !Cond->EvaluateAsBooleanCondition(Value, TU.AST) || !Value)
        return false;
    }
    return countExits(Body) == 0 && !hasGoto(Body);
  }

  static bool hasGoto(const Stmt *S) {
    if (!S || isa<LambdaExpr>(S))
      return false;
    if (isa<GotoStmt, IndirectGotoStmt>(S))
      return true;
    for (const Stmt *C : S->children())
      if (hasGoto(C))
        return true;
    return false;
  }

  bool inLoop() const {
    for (size_t I = 0; I + 1 < Stack.size(); ++I)
      if (isLoop(Stack[I]))
        return true;
    return false;
  }

  // A receive whose failure ends the loop around it: `while (ch.pop(v) ==
  // success)`, `for (;;) { if (!ch.read(v)) break; … }`.
  bool receiveEndsLoop() const {
    for (size_t I = Stack.size() - 1; I-- > 0;) {
      const Stmt *P = Stack[I], *Child = Stack[I + 1];
      if (isa<LambdaExpr>(P))
        return false;
      // The loop must have no other way out: a loop that also breaks on
      // some value (or when the channel looks empty) does not wait for the
      // close.
      if (const auto *W = dyn_cast<WhileStmt>(P))
        return Child == W->getCond() && countExits(W->getBody()) == 0;
      if (const auto *Fr = dyn_cast<ForStmt>(P))
        return Child == Fr->getCond() && countExits(Fr->getBody()) == 0;
      if (const auto *D = dyn_cast<DoStmt>(P))
        return Child == D->getCond() && countExits(D->getBody()) == 0;
      if (const auto *If = dyn_cast<IfStmt>(P)) {
        if (Child != If->getCond())
          return false;
        if (!leavesLoop(If->getThen()) && !leavesLoop(If->getElse()))
          return false;
        for (size_t J = I; J-- > 0;) {
          if (isa<LambdaExpr>(Stack[J]))
            return false;
          if (isLoop(Stack[J])) {
            const Stmt *Body = nullptr;
            if (const auto *W = dyn_cast<WhileStmt>(Stack[J]))
              Body = W->getBody();
            else if (const auto *Fr = dyn_cast<ForStmt>(Stack[J]))
              Body = Fr->getBody();
            else if (const auto *D = dyn_cast<DoStmt>(Stack[J]))
              Body = D->getBody();
            else
              return false;
            return countExits(Body) ==
                   countExits(If->getThen()) + countExits(If->getElse());
          }
        }
        return false;
      }
      if (isa<CompoundStmt, CXXForRangeStmt, SwitchStmt>(P))
        return false;
    }
    return false;
  }

  // Marks the channel uses inside E as understood.
  void cover(const Expr *E) {
    if (!E)
      return;
    E = stripWrappers(E);
    if (isa<DeclRefExpr>(E)) {
      F.Covered.insert(E);
      return;
    }
    if (const auto *ME = dyn_cast<MemberExpr>(E)) {
      F.Covered.insert(E);
      cover(ME->getBase());
      return;
    }
    if (const auto *UO = dyn_cast<UnaryOperator>(E)) {
      if (UO->getOpcode() == UO_Deref || UO->getOpcode() == UO_AddrOf)
        cover(UO->getSubExpr());
      return;
    }
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
      if ((Op->getOperator() == OO_Star || Op->getOperator() == OO_Arrow) &&
          Op->getNumArgs() >= 1)
        cover(Op->getArg(0));
      return;
    }
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E))
      if (const CXXMethodDecl *MD = MC->getMethodDecl())
        if (MD->getIdentifier() && MD->getName() == "get")
          cover(MC->getImplicitObjectArgument());
  }

  void markLambdaAnalysed(const Expr *Callable) {
    if (!Callable)
      return;
    const Expr *E = stripWrappers(Callable);
    if (const auto *L = dyn_cast<LambdaExpr>(E)) {
      F.AnalysedLambdas.insert(L);
      return;
    }
    if (const auto *DR = dyn_cast<DeclRefExpr>(E))
      if (const auto *VD = dyn_cast<VarDecl>(DR->getDecl()))
        if (VD->hasInit() && VD->isLocalVarDecl())
          if (const auto *L =
                  dyn_cast<LambdaExpr>(stripWrappers(VD->getInit())))
            F.AnalysedLambdas.insert(L);
  }

  // Joins run by statement Child as a whole: `t.join();`, and
  // `for (auto &t : workers) t.join();`.
  void noteJoins(const Stmt *Child) {
    const Stmt *S = Child;
    if (const auto *EWC = dyn_cast<ExprWithCleanups>(S))
      S = EWC->getSubExpr();
    auto JoinIn = [&](const Stmt *St) -> std::optional<ObjectKey> {
      if (const auto *CS = dyn_cast<CompoundStmt>(St))
        St = CS->size() == 1 ? CS->body_front() : nullptr;
      const auto *E = dyn_cast_or_null<Expr>(St);
      if (!E)
        return std::nullopt;
      if (auto HOp = matchHandleOp(E, Models))
        if (HOp->Kind == HandleOpKind::Join)
          return joinedHandle(HOp->Object, R, F.RangeVars);
      return std::nullopt;
    };
    std::optional<ObjectKey> K;
    if (const auto *RF = dyn_cast<CXXForRangeStmt>(S))
      K = JoinIn(RF->getBody());
    else if (const auto *Fr = dyn_cast<ForStmt>(S))
      K = JoinIn(Fr->getBody());
    else if (const auto *E = dyn_cast<Expr>(S); E && forEachJoin(E, R, Models))
      K = forEachJoin(E, R, Models);
    else if (const auto *E = dyn_cast<Expr>(S); E && latchWaited(E, Models))
      K = R.keyOf(latchWaited(E, Models)); // `done.wait();`: a wait group
    else
      K = JoinIn(S);
    if (K)
      Joined.push_back(*K);
  }

  void record(ChanEvent Ev, bool ValueUsed) {
    Ev.InLoop = inLoop();
    Ev.Once = OnceDepth > 0;
    Ev.JoinedBefore.assign(Joined.begin(), Joined.end());
    if (Ev.Kind == ChanOpKind::Receive && ValueUsed) {
      Ev.WaitsClose = receiveEndsLoop();
      if (Ev.WaitsClose)
        if (const Stmt *L = innermostLoop())
          DrainLoops[L].push_back(Ev.Key);
    }
    if (isSendOp(Ev.Kind))
      for (size_t I = Stack.size(); I-- > 0;) {
        if (isa<LambdaExpr>(Stack[I]))
          break;
        if (!isLoop(Stack[I]))
          continue;
        Ev.Endless |= endless(Stack[I]);
        auto It = DrainLoops.find(Stack[I]);
        if (It != DrainLoops.end())
          Ev.InDrainOf.append(It->second.begin(), It->second.end());
      }
    F.OpIndex[Ev.Op] = F.Ops.size();
    F.Ops.push_back(std::move(Ev));
  }

  void visitDecl(const VarDecl *VD) {
    const Expr *Init = VD->getInit();
    if (!Init)
      return;
    bool Holds = holdsChannel(VD->getType(), Models);
    // An alias (`auto &c = *ch;`, `auto p = sp;`): its uses stand for the
    // original's.
    if (Holds && R.keyOf(Init)) {
      cover(Init);
      return;
    }
    if (!Holds || isa<ParmVarDecl>(VD) || !VD->hasLocalStorage())
      return;
    if (const CallExpr *Gen = generatorCall(Init)) {
      if (summarisableCall(Gen, TU.Linked)) {
        ObjectKey K;
        K.Root = VD;
        F.CallDest[Gen] = K;
        return;
      }
    }
    if (!createsChannel(Init))
      F.NotFresh.insert(VD);
  }

  void visit(const Stmt *S, bool ValueUsed, bool InTry) {
    if (isLoop(S))
      F.Loops.push_back(S);
    if (const auto *DS = dyn_cast<DeclStmt>(S)) {
      for (const Decl *D : DS->decls())
        if (const auto *VD = dyn_cast<VarDecl>(D)) {
          visitDecl(VD);
          for (size_t I = Stack.size() - 1; I-- > 0;)
            if (isLoop(Stack[I])) {
              F.DeclLoop[VD] = Stack[I];
              break;
            }
        }
      return;
    }
    if (const auto *RS = dyn_cast<ReturnStmt>(S)) {
      if (const Expr *V = RS->getRetValue()) {
        cover(V);
        if (auto K = R.keyOf(V); K && K->ThisBased &&
                                 holdsChannel(V->getType(), Models)) {
          // A member handed out (`return jobs_;`): the caller may close it.
          ChanEvent Ev{ChanOpKind::Escape, *K, nullptr, V, V, nullptr, false};
          F.Escapes.push_back(std::move(Ev));
        }
        bool Local = false;
        if (auto K = R.keyOf(V))
          if (K->Path.empty() && !K->ThisBased)
            if (const auto *VD = dyn_cast_or_null<VarDecl>(K->Root))
              if (VD->hasLocalStorage() && !isa<ParmVarDecl>(VD) &&
                  holdsChannel(VD->getType(), Models)) {
                F.ReturnedLocals.insert(VD);
                Local = true;
              }
        // Returning a member, a parameter, a global or a call's result: the
        // caller does not get a channel of its own.
        if (!Local && holdsChannel(V->getType(), Models) && !createsChannel(V))
          F.ReturnsForeign = true;
      }
      return;
    }
    if (const auto *RF = dyn_cast<CXXForRangeStmt>(S)) {
      if (const VarDecl *LV = RF->getLoopVariable())
        if (auto K = R.keyOf(RF->getRangeInit()))
          F.RangeVars[LV] = *K;
      const Expr *Init = RF->getRangeInit();
      if (const ChannelModel *M = channelModelOf(Init->getType(), Models);
          M && M->Range) {
        std::optional<ObjectKey> K = R.keyOf(Init);
        if (!K)
          if (const VarDecl *RV = RF->getRangeStmt()
                                      ? dyn_cast_or_null<VarDecl>(
                                            RF->getRangeStmt()->getSingleDecl())
                                      : nullptr) {
            K = ObjectKey();
            K->Root = RV;
          }
        if (K) {
          cover(Init);
          ChanEvent Ev{ChanOpKind::Receive, *K, M, Init, Init, nullptr, false};
          record(std::move(Ev), false);
          // Only a loop that has no other way out waits for the close.
          F.Ops.back().WaitsClose = countExits(RF->getBody()) == 0;
          if (F.Ops.back().WaitsClose)
            DrainLoops[RF].push_back(*K);
        }
      }
      return;
    }
    const auto *E = dyn_cast<Expr>(S);
    if (!E)
      return;
    if (const auto *DR = dyn_cast<DeclRefExpr>(E)) {
      if (const auto *VD = dyn_cast<VarDecl>(DR->getDecl()))
        if (!VD->isImplicit() && !VD->hasGlobalStorage() &&
            holdsChannel(VD->getType(), Models))
          F.ChanRefs.push_back({E, CaptureOf});
      return;
    }
    if (const auto *ME = dyn_cast<MemberExpr>(E)) {
      if (isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()) &&
          isa<FieldDecl>(ME->getMemberDecl()) &&
          holdsChannel(ME->getMemberDecl()->getType(), Models))
        F.ChanRefs.push_back({E, CaptureOf});
      return;
    }
    if (auto Op = matchChanOp(E, Models)) {
      cover(Op->Object);
      if (auto K = R.keyOf(Op->Object)) {
        ChanEvent Ev{Op->Kind, *K, Op->Model, E, E, nullptr,
                     ValueUsed || InTry};
        record(std::move(Ev), ValueUsed);
      }
      return;
    }
    if (auto Sp = matchSpawn(E, Models)) {
      // Arguments handed to a body the analysis follows are understood;
      // to an unknown one, they escape.
      bool Known = calleeBody(Sp->Callable) != nullptr;
      if (!Known && Sp->Callable)
        if (const auto *DR = dyn_cast<DeclRefExpr>(stripWrappers(Sp->Callable)))
          if (const auto *Fn = dyn_cast<FunctionDecl>(DR->getDecl()))
            Known = summaryDecl(Fn, TU.Linked) != nullptr;
      if (Known)
        for (const Expr *A : Sp->Args)
          cover(A);
      markLambdaAnalysed(Sp->Callable);
      // A thread function defined in another TU: the link phase may know it.
      if (Sp->Callable)
        if (const auto *DR = dyn_cast<DeclRefExpr>(stripWrappers(Sp->Callable)))
          if (const auto *Fn = dyn_cast<FunctionDecl>(DR->getDecl());
              Fn && externalUserFunction(Fn))
            TU.ExternalCallees.insert(usrOf(Fn->getCanonicalDecl()));
      for (size_t I = 0; I + 1 < Stack.size(); ++I)
        if (isLoop(Stack[I]))
          F.SpawnLoops[E].push_back(Stack[I]);
      SpawnRec Rec{*Sp, std::nullopt, false, false};
      associateHandle(Rec);
      F.SpawnIndex[E] = F.Spawns.size();
      F.Spawns.push_back(std::move(Rec));
      return;
    }
    if (auto HOp = matchHandleOp(E, Models)) {
      if (HOp->Kind == HandleOpKind::Detach)
        if (auto K = joinedHandle(HOp->Object, R, F.RangeVars))
          F.Detached.push_back(*K);
      return;
    }
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      const FunctionDecl *Callee = Call->getDirectCallee();
      if (!summaryDecl(Callee, TU.Linked) && externalUserFunction(Callee)) {
        F.ExtCalls.push_back(Call);
        TU.ExternalCallees.insert(usrOf(Callee->getCanonicalDecl()));
      }
      if (summaryDecl(Callee, TU.Linked)) {
        F.Calls.push_back(Call);
        for (const Expr *A : Call->arguments())
          cover(A);
        if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call))
          cover(MC->getImplicitObjectArgument());
        if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call))
          if (Op->getOperator() == OO_Call && Op->getNumArgs() >= 1)
            markLambdaAnalysed(Op->getArg(0));
      } else if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call)) {
        // Const queries on a channel (size(), empty()) leave it alone.
        if (const CXXMethodDecl *MD = MC->getMethodDecl())
          if (MD->isConst() &&
              holdsChannel(MC->getImplicitObjectArgument()->getType(), Models))
            cover(MC->getImplicitObjectArgument());
      }
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
    // `std::thread(f).detach()`: the member expression's call.
    if (const auto *ME = dyn_cast<MemberExpr>(Parent)) {
      for (size_t I = Stack.size(); I-- > 0;)
        if (Stack[I] == ME) {
          if (I > 0)
            if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Stack[I - 1]))
              if (MC->getCallee() == ME)
                if (auto HOp = matchHandleOp(MC, Models))
                  Rec.Detached = HOp->Kind == HandleOpKind::Detach;
          break;
        }
      return;
    }
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

  TUContext &TU;
  const ModelSet &Models;
  const ObjectResolver &R;
  BodyFacts &F;
  std::vector<const Stmt *> Stack;
  std::vector<ObjectKey> Joined;
  const LambdaExpr *CaptureOf = nullptr;
  unsigned OnceDepth = 0;
  // Loops that drain a channel until it is closed, with the channel.
  llvm::DenseMap<const Stmt *, llvm::SmallVector<ObjectKey, 1>> DrainLoops;
};

BodyFacts collectFacts(const Stmt *Body, TUContext &TU,
                       const ObjectResolver &R) {
  BodyFacts F;
  BodyWalker W(TU, R, F);
  W.walk(Body, false, false);
  W.finish();
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
       const ObjectResolver &R, const ObjectKey *Dest) {
  if (K.Ret) {
    if (!Dest)
      return std::nullopt;
    ObjectKey Out = *Dest;
    Out.Path.append(K.Path.begin(), K.Path.end());
    return Out;
  }
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
                         const Expr *Site, const ObjectResolver &R,
                         const ObjectKey *Dest = nullptr,
                         bool ThreadBody = false) {
  for (const ChanEvent &Ev : In)
    if (auto K = mapKey(Ev.Key, Callee, Args, Object, R, Dest)) {
      ChanEvent M = Ev;
      M.Key = *K;
      if (ThreadBody)
        M.BodySite = Ev.Site;
      M.Site = Site;
      if (!M.Via)
        M.Via = Callee;
      M.JoinedBefore.clear();
      for (const ObjectKey &J : Ev.JoinedBefore)
        if (auto JK = mapKey(J, Callee, Args, Object, R, Dest))
          M.JoinedBefore.push_back(*JK);
      M.InDrainOf.clear();
      for (const ObjectKey &D : Ev.InDrainOf)
        if (auto DK = mapKey(D, Callee, Args, Object, R, Dest))
          M.InDrainOf.push_back(*DK);
      Out.push_back(std::move(M));
    } else if (Ev.Kind == ChanOpKind::Escape && Ev.Key.Ret && !Dest) {
      // A returned channel the caller drops or passes on unseen: nothing
      // to map it to, and nothing to report about it.
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
  // std::jthread passes its stop token first when the callable takes one.
  if (Site.Model && Site.Model->PassesStopToken &&
      Body->getNumParams() == Args.size() + 1) {
    const CXXRecordDecl *RD =
        Body->getParamDecl(0)->getType().getNonReferenceType()->getAsCXXRecordDecl();
    if (RD && RD->getName() == "stop_token")
      Args.insert(Args.begin(), nullptr);
  }
  appendMapped(Out, Cache.get(Body).Events, Body, Args, Object, Site.Expr, R,
               nullptr, /*ThreadBody=*/true);
  return Out;
}

const ChannelSummary &SummaryCache::get(const FunctionDecl *FD) {
  static const ChannelSummary Empty;
  auto It = Cache.find(FD);
  if (It != Cache.end())
    return *It->second;
  if (!FD->hasBody())
    return fromLinked(FD);
  if (InProgress.contains(FD) || InProgress.size() > 16)
    return Empty; // recursion: the cycle contributes nothing more
  InProgress.insert(FD);
  auto S = std::make_unique<ChannelSummary>();
  const Stmt *Body = FD->getBody();
  ObjectResolver R(Body);
  BodyFacts F = collectFacts(Body, TU, R);
  // Events on a local the function returns are the caller's: key them as
  // the returned object.
  auto SummaryKey = [&](ObjectKey K) -> std::optional<ObjectKey> {
    if (const auto *VD = dyn_cast_or_null<VarDecl>(K.Root);
        VD && !K.ThisBased && F.ReturnedLocals.contains(VD)) {
      K.Root = nullptr;
      K.Ret = true;
      return K;
    }
    if (K.Ret || escapesFunction(K, FD))
      return K;
    return std::nullopt;
  };
  auto Keep = [&](ChanEvent Ev) {
    std::optional<ObjectKey> K = SummaryKey(Ev.Key);
    if (!K)
      return;
    Ev.Key = std::move(*K);
    S->Events.push_back(std::move(Ev));
  };
  auto MapOpt = [&](const std::optional<ObjectKey> &K)
      -> std::optional<ObjectKey> {
    return K ? SummaryKey(*K) : std::nullopt;
  };
  // Calls into other TUs, in this function's keys.
  for (const CallExpr *Call : F.ExtCalls) {
    auto [Args, Object] = callArgs(Call);
    ExternalCallRec Rec;
    Rec.Callee = usrOf(Call->getDirectCallee()->getCanonicalDecl());
    for (const Expr *A : Args)
      Rec.Args.push_back(MapOpt(R.keyOf(A)));
    if (Object && isa<CXXThisExpr>(Object->IgnoreParenImpCasts()))
      Rec.ObjectIsThis = true;
    else if (Object)
      Rec.Object = MapOpt(R.keyOf(Object));
    if (auto DIt = F.CallDest.find(Call); DIt != F.CallDest.end())
      Rec.Dest = MapOpt(DIt->second);
    S->ExternalCalls.push_back(std::move(Rec));
  }
  for (const ChanEvent &Ev : F.Ops)
    Keep(Ev);
  for (const ChanEvent &Ev : F.Escapes)
    Keep(Ev);
  // A returned channel that did not start here is not the caller's alone.
  if (F.ReturnsForeign) {
    ChanEvent Ev{ChanOpKind::Escape, ObjectKey(), nullptr, nullptr, nullptr,
                 nullptr, false};
    Ev.Key.Ret = true;
    S->Events.push_back(std::move(Ev));
  }
  for (const VarDecl *VD : F.ReturnedLocals)
    if (F.NotFresh.contains(VD)) {
      ChanEvent Ev{ChanOpKind::Escape, ObjectKey(), nullptr, nullptr, nullptr,
                   nullptr, false};
      Ev.Key.Ret = true;
      S->Events.push_back(std::move(Ev));
    }
  for (const CallExpr *Call : F.Calls) {
    const FunctionDecl *Def = summaryDecl(Call->getDirectCallee(), TU.Linked);
    if (!Def)
      continue;
    auto [Args, Object] = callArgs(Call);
    auto DIt = F.CallDest.find(Call);
    const ObjectKey *Dest = DIt == F.CallDest.end() ? nullptr : &DIt->second;
    const ChannelSummary &CS = get(Def);
    std::vector<ChanEvent> Mapped;
    appendMapped(Mapped, CS.Events, Def, Args, Object, Call, R, Dest);
    for (ChanEvent &Ev : Mapped)
      Keep(std::move(Ev));
    // The callee's own calls into other TUs, seen from here.
    for (const ExternalCallRec &X : CS.ExternalCalls) {
      ExternalCallRec Rec;
      Rec.Callee = X.Callee;
      auto Through = [&](const std::optional<ObjectKey> &K)
          -> std::optional<ObjectKey> {
        if (!K)
          return std::nullopt;
        return MapOpt(mapKey(*K, Def, Args, Object, R, Dest));
      };
      for (const auto &A : X.Args)
        Rec.Args.push_back(Through(A));
      Rec.Object = Through(X.Object);
      Rec.Dest = Through(X.Dest);
      if (X.ObjectIsThis) {
        // The callee's `this` is this call's object.
        if (!Object || isa<CXXThisExpr>(Object->IgnoreParenImpCasts()))
          Rec.ObjectIsThis = true;
        else
          Rec.Object = MapOpt(R.keyOf(Object));
      }
      S->ExternalCalls.push_back(std::move(Rec));
    }
  }
  for (const SpawnRec &Sp : F.Spawns)
    for (ChanEvent &Ev :
         threadEffects(*this, Sp.Site, calleeBody(Sp.Site.Callable), R))
      Keep(std::move(Ev));
  InProgress.erase(FD);
  return *(Cache[FD] = std::move(S));
}

std::string usrOf(const FunctionDecl *FD) {
  llvm::SmallString<128> Buf;
  if (!FD || clang::index::generateUSRForDecl(FD, Buf))
    return {};
  return std::string(Buf);
}

static const FieldDecl *fieldNamed(QualType T, llvm::StringRef Name) {
  const CXXRecordDecl *RD = designatedRecord(T);
  if (!RD || !RD->hasDefinition())
    return nullptr;
  for (const FieldDecl *F : RD->getDefinition()->fields())
    if (F->getName() == Name)
      return F;
  return nullptr;
}

// A linked key in the terms of declaration FD of this TU.
static std::optional<ObjectKey> keyFromSpec(const KeySpec &Spec,
                                            const FunctionDecl *FD) {
  ObjectKey K;
  QualType Cur;
  size_t First = 0;
  switch (Spec.Root) {
  case KeySpec::Param:
    if (Spec.Index >= int(FD->getNumParams()))
      return std::nullopt;
    K.Root = FD->getParamDecl(Spec.Index);
    Cur = FD->getParamDecl(Spec.Index)->getType();
    break;
  case KeySpec::This: {
    const auto *MD = dyn_cast<CXXMethodDecl>(FD);
    if (!MD || Spec.Path.empty())
      return std::nullopt;
    const FieldDecl *F =
        fieldNamed(QualType(MD->getParent()->getTypeForDecl(), 0), Spec.Path[0]);
    if (!F)
      return std::nullopt;
    K.Root = F;
    K.ThisBased = true;
    Cur = F->getType();
    First = 1;
    break;
  }
  case KeySpec::Ret:
    K.Ret = true;
    Cur = FD->getReturnType();
    break;
  }
  for (size_t I = First; I < Spec.Path.size(); ++I) {
    const FieldDecl *F = fieldNamed(Cur, Spec.Path[I]);
    if (!F)
      return std::nullopt;
    K.Path.push_back(F);
    Cur = F->getType();
  }
  return K;
}

// A key of FD's summary as the link phase names it.
static std::optional<KeySpec> specFromKey(const ObjectKey &K,
                                          const FunctionDecl *FD) {
  KeySpec S;
  if (K.Ret) {
    S.Root = KeySpec::Ret;
  } else if (K.ThisBased) {
    S.Root = KeySpec::This;
    S.Path.push_back(K.Root->getNameAsString());
  } else if (const auto *P = dyn_cast_or_null<ParmVarDecl>(K.Root);
             P && P->getDeclContext() == FD) {
    S.Root = KeySpec::Param;
    S.Index = int(P->getFunctionScopeIndex());
  } else {
    return std::nullopt; // globals and captures are not followed across TUs
  }
  for (const FieldDecl *F : K.Path)
    S.Path.push_back(F->getNameAsString());
  return S;
}

const ChannelSummary &SummaryCache::fromLinked(const FunctionDecl *FD) {
  static const ChannelSummary Empty;
  const std::vector<ExternalEvent> *Evs =
      TU.Linked ? TU.Linked->events(usrOf(FD)) : nullptr;
  if (!Evs)
    return Empty;
  auto S = std::make_unique<ChannelSummary>();
  for (const ExternalEvent &E : *Evs) {
    std::optional<ObjectKey> K = keyFromSpec(E.Key, FD);
    if (!K || E.Kind < 0 || E.Kind > int(ChanOpKind::Escape))
      continue;
    ExternalOps.push_back({E.Where, E.Function});
    ChanEvent Ev{ChanOpKind(E.Kind), *K, nullptr, nullptr, nullptr, FD,
                 E.Handled};
    if (!E.Model.empty())
      Ev.Model = TU.Models.channelForType(E.Model);
    Ev.WaitsClose = E.WaitsClose;
    Ev.InLoop = E.InLoop;
    Ev.Ext = &ExternalOps.back();
    S->Events.push_back(std::move(Ev));
  }
  return *(Cache[FD] = std::move(S));
}

void SummaryCache::exportTo(llvm::ArrayRef<const FunctionDecl *> Functions,
                            TUSummaries &Out) {
  const SourceManager &SM = TU.AST.getSourceManager();
  for (const FunctionDecl *FD : Functions) {
    const ChannelSummary &S = get(FD);
    if (S.Events.empty() && S.ExternalCalls.empty())
      continue;
    ExternalSummary X;
    X.USR = usrOf(FD->getCanonicalDecl());
    X.Name = FD->getQualifiedNameAsString();
    if (X.USR.empty())
      continue;
    for (const ChanEvent &Ev : S.Events) {
      std::optional<KeySpec> K = specFromKey(Ev.Key, FD);
      if (!K)
        continue;
      ExternalEvent E;
      E.Kind = int(Ev.Kind);
      E.Key = std::move(*K);
      if (Ev.Model && !Ev.Model->Types.empty())
        E.Model = Ev.Model->Types.front();
      if (Ev.Ext) {
        E.Where = Ev.Ext->Where;
        E.Function = Ev.Ext->Function;
      } else {
        E.Where = toSourcePoint(SM, Ev.opLoc());
        const FunctionDecl *In = Ev.Via ? Ev.Via : FD;
        if (const auto *MD = dyn_cast<CXXMethodDecl>(In);
            MD && MD->getParent()->isLambda())
          In = FD;
        E.Function = In->getQualifiedNameAsString();
      }
      E.Handled = Ev.Handled;
      E.WaitsClose = Ev.WaitsClose;
      E.InLoop = Ev.InLoop;
      X.Events.push_back(std::move(E));
    }
    for (const ExternalCallRec &C : S.ExternalCalls) {
      ExternalCall Call;
      Call.Callee = C.Callee;
      auto Spec = [&](const std::optional<ObjectKey> &K)
          -> std::optional<KeySpec> {
        return K ? specFromKey(*K, FD) : std::nullopt;
      };
      for (const auto &A : C.Args)
        Call.Args.push_back(Spec(A));
      Call.Object = Spec(C.Object);
      if (C.ObjectIsThis) {
        KeySpec This;
        This.Root = KeySpec::This;
        Call.Object = This; // this function's own `this`
      }
      Call.Dest = Spec(C.Dest);
      X.Calls.push_back(std::move(Call));
    }
    Out.Functions.push_back(std::move(X));
  }
  // The same functions' facts travel in the same records.
  TU.facts().exportTo(Functions, Out);
  Out.ExternalCallees.assign(TU.ExternalCallees.begin(),
                             TU.ExternalCallees.end());
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

// A blocking send of a detached thread that nobody has received yet on
// this path, and the receive that last gave up waiting for it.
struct PendingSend {
  int Thread;
  const ChanEvent *Send;
  const ChanEvent *GaveUp = nullptr;
  bool operator==(const PendingSend &O) const {
    return Thread == O.Thread && Send == O.Send && GaveUp == O.GaveUp;
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
    else if (!It->GaveUp)
      It->GaveUp = P.GaveUp;
  }
}

class FlowAnalysis {
public:
  FlowAnalysis(FunctionAnalyses &Ctx, std::vector<ThreadStart> &Threads,
               std::vector<Conflict> &Conflicts)
      : Ctx(Ctx), Models(Ctx.tu().Models), FD(Ctx.function()),
        R(FD->getBody()), Threads(Threads), Conflicts(Conflicts) {}

  void run() {
    const Stmt *Body = FD->getBody();
    Facts = collectFacts(Body, Ctx.tu(), R);
    SummaryCache &Cache = Ctx.tu().summaries();
    for (const SpawnRec &Sp : Facts.Spawns) {
      ThreadStart T;
      T.Spawn = Sp.Site.Expr;
      T.Model = Sp.Site.Model;
      T.Handle = Sp.Handle;
      T.GroupHandle = Sp.Group;
      T.Detached = Sp.Detached;
      T.Body = calleeBody(Sp.Site.Callable);
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
    findUnclosed();

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
      for (const PendingSend &P : Exit.Pending) {
        ChanEvent None{ChanOpKind::Receive, P.Send->Key, P.Send->Model,
                       nullptr, nullptr, nullptr, false};
        Conflicts.push_back({ConflictKind::BlockedSend, *P.Send,
                             P.GaveUp ? *P.GaveUp : None, P.Thread, -1, false,
                             P.Send->Key.Root});
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
    bool IsSuccess = EC->getName() == "success";
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
  bool receives(const ThreadStart &T, const ObjectKey &K) const {
    for (const ChanEvent &Ev : T.Effects)
      if (isReceiveOp(Ev.Kind) && Ev.Key == K)
        return true;
    return false;
  }
  // Consumes from K: waits for values (try-receives that drain a channel
  // on shutdown do not make a consumer).
  static bool consumes(const ChanEvent &Ev, const ObjectKey &K) {
    return Ev.Key == K && (Ev.Kind == ChanOpKind::Receive ||
                           Ev.Kind == ChanOpKind::TimedReceive);
  }
  bool consumes(const ThreadStart &T, const ObjectKey &K) const {
    return llvm::any_of(T.Effects,
                        [&](const ChanEvent &Ev) { return consumes(Ev, K); });
  }
  bool ownConsumes(const ObjectKey &K) const {
    for (const ChanEvent &Ev : Facts.Ops)
      if (consumes(Ev, K))
        return true;
    for (const auto &[Call, Evs] : CallEffects)
      for (const ChanEvent &Ev : Evs)
        if (consumes(Ev, K))
          return true;
    return false;
  }

  // Every event on K this function can see: its own, its callees', its
  // threads'. Thread index -1 for the function and its callees.
  template <typename Fn> void forEachEvent(const ObjectKey &K, Fn F) const {
    for (const ChanEvent &Ev : Facts.Ops)
      if (Ev.Key == K)
        F(Ev, -1);
    for (const ChanEvent &Ev : Facts.Escapes)
      if (Ev.Key == K)
        F(Ev, -1);
    for (const auto &[Call, Evs] : CallEffects)
      for (const ChanEvent &Ev : Evs)
        if (Ev.Key == K)
          F(Ev, -1);
    for (size_t T = 0; T < Threads.size(); ++T)
      for (const ChanEvent &Ev : Threads[T].Effects)
        if (Ev.Key == K)
          F(Ev, int(T));
  }

  // A local channel this function created and whose every use it sees.
  bool owned(const ObjectKey &K) const {
    if (!K.Path.empty() || K.ThisBased || K.Ret)
      return false;
    const auto *VD = dyn_cast_or_null<VarDecl>(K.Root);
    if (!VD || isa<ParmVarDecl>(VD) || !VD->hasLocalStorage() ||
        Facts.NotFresh.contains(VD) || !holdsChannel(VD->getType(), Models))
      return false;
    bool Local = false;
    for (const DeclContext *DC = VD->getDeclContext(); DC; DC = DC->getParent())
      if (DC == FD)
        Local = true;
    if (!Local)
      return false;
    bool Escaped = false;
    forEachEvent(K, [&](const ChanEvent &Ev, int) {
      Escaped |= Ev.Kind == ChanOpKind::Escape;
    });
    return !Escaped;
  }

  // The number of elements a channel created here holds before a send
  // blocks; nullopt when unbounded or not known.
  std::optional<uint64_t> usableCapacity(const VarDecl *VD,
                                         const ChannelModel *M) const {
    if (!M || !M->Bounded)
      return std::nullopt;
    const Expr *Init = VD->getInit();
    if (!Init)
      return std::nullopt;
    // The constructor (or make_shared/new) call that builds the channel.
    llvm::SmallVector<const Expr *, 4> CtorArgs;
    std::vector<const Expr *> Work{Init};
    bool Found = false;
    while (!Work.empty() && !Found) {
      const Expr *E = Work.back()->IgnoreParenImpCasts();
      Work.pop_back();
      if (const auto *CE = dyn_cast<CXXConstructExpr>(E)) {
        if (channelModelOf(CE->getType(), Models) == M &&
            designatedRecord(CE->getType()) ==
                CE->getType()->getAsCXXRecordDecl() &&
            !CE->getConstructor()->isCopyOrMoveConstructor()) {
          for (const Expr *A : CE->arguments())
            if (!isa<CXXDefaultArgExpr>(A))
              CtorArgs.push_back(A);
          Found = true;
          break;
        }
      }
      if (const auto *Call = dyn_cast<CallExpr>(E))
        if (const FunctionDecl *F = Call->getDirectCallee())
          if (F->isInStdNamespace() && F->getIdentifier() &&
              (F->getName() == "make_shared" || F->getName() == "make_unique")) {
            for (const Expr *A : Call->arguments())
              CtorArgs.push_back(A);
            Found = true;
            break;
          }
      for (const Stmt *C : E->children())
        if (const auto *CE = dyn_cast_or_null<Expr>(C))
          Work.push_back(CE);
    }
    if (!Found)
      return std::nullopt;
    uint64_t Cap = 0;
    if (M->CapacityArg >= 0) {
      if (unsigned(M->CapacityArg) < CtorArgs.size()) {
        Expr::EvalResult R;
        if (!CtorArgs[M->CapacityArg]->EvaluateAsInt(R, Ctx.ast()))
          return std::nullopt; // capacity from a runtime value
        llvm::APSInt V = R.Val.getInt();
        if (V.isNegative())
          return std::nullopt;
        Cap = V.getZExtValue();
      } else if (!CtorArgs.empty()) {
        return std::nullopt;
      }
    }
    if (Cap == 0 && M->ZeroCapacityUnbounded)
      return std::nullopt;
    if (Cap < uint64_t(M->ReservedSlots))
      return std::nullopt;
    return Cap - M->ReservedSlots;
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

  // channel-unclosed: a channel created here that some party waits to see
  // closed, that nobody closes, and whose every use is visible.
  void findUnclosed() {

    std::set<ObjectKey> Candidates;
    auto Collect = [&](const ChanEvent &Ev) {
      if (Ev.WaitsClose)
        Candidates.insert(Ev.Key);
    };
    for (const ChanEvent &Ev : Facts.Ops)
      Collect(Ev);
    for (const auto &[Call, Evs] : CallEffects)
      for (const ChanEvent &Ev : Evs)
        Collect(Ev);
    for (const ThreadStart &T : Threads)
      for (const ChanEvent &Ev : T.Effects)
        Collect(Ev);
    for (const ObjectKey &K : Candidates) {
      if (K.ThisBased && K.Path.empty()) {
        memberUnclosed(K);
        continue;
      }
      if (!owned(K))
        continue;
      const ChanEvent *Wait = nullptr, *Send = nullptr;
      int WaitT = -1, SendT = -1;
      bool Closed = false;
      forEachEvent(K, [&](const ChanEvent &Ev, int T) {
        if (Ev.Kind == ChanOpKind::Close || Ev.Kind == ChanOpKind::ReceiverCancel)
          Closed = true;
        if (Ev.WaitsClose && (!Wait || (WaitT >= 0 && T < 0))) {
          Wait = &Ev;
          WaitT = T;
        }
        if (isSendOp(Ev.Kind) && (!Send || (SendT < 0 && T >= 0))) {
          Send = &Ev;
          SendT = T;
        }
      });
      if (Closed || !Wait)
        continue;
      // No last send to close after: every send is in an endless loop (a
      // producer meant to run until the program ends), or in a loop that
      // drains a channel nobody closes (the stage after an unclosed one:
      // that one is reported, once for the chain).
      bool AnySend = false, AllEndless = true, AllDownstream = true;
      forEachEvent(K, [&](const ChanEvent &Ev, int) {
        if (!isSendOp(Ev.Kind))
          return;
        AnySend = true;
        AllEndless &= Ev.Endless;
        AllDownstream &= llvm::any_of(Ev.InDrainOf, [&](const ObjectKey &In) {
          return !(In == K) && neverClosed(In);
        });
      });
      if (AnySend && (AllEndless || AllDownstream))
        continue;
      // A channel whose destructor closes it releases a waiting thread
      // when the owner's scope ends, unless the waiter is the owner itself
      // or keeps the channel alive.
      const auto *VD = cast<VarDecl>(K.Root);
      if (Wait->Model && Wait->Model->ClosesOnDestruction && WaitT >= 0 &&
          !keepsAlive(Threads[WaitT], VD))
        continue;
      Conflict C{ConflictKind::Unclosed,
                 Send ? *Send : *Wait,
                 *Wait,
                 Send ? SendT : WaitT,
                 WaitT,
                 false,
                 VD};
      Conflicts.push_back(std::move(C));
    }
  }

  // No close, receiver cancel or escape of K anywhere the analysis sees.
  bool neverClosed(const ObjectKey &K) const {
    bool Closed = false;
    forEachEvent(K, [&](const ChanEvent &Ev, int) {
      Closed |= Ev.Kind == ChanOpKind::Close ||
                Ev.Kind == ChanOpKind::ReceiverCancel ||
                Ev.Kind == ChanOpKind::Escape;
    });
    return !Closed;
  }

  // A private channel member that a thread of this class waits on to be
  // closed, when no member function of the class closes it (or lets it
  // out). Every member function must be visible: defined in this TU or
  // known to the link phase.
  void memberUnclosed(const ObjectKey &K) {
    const auto *Field = dyn_cast<FieldDecl>(K.Root);
    const auto *MD = dyn_cast<CXXMethodDecl>(FD);
    if (!Field || !MD || Field->getAccess() == AS_public)
      return;
    const CXXRecordDecl *RD = MD->getParent();
    if (RD->isLambda())
      return; // `this` of a lambda: handled in the enclosing method
    if (Field->getParent() != RD || !RD->hasDefinition() ||
        RD->hasFriends() || RD->isDependentContext())
      return;
    const ChanEvent *Wait = nullptr;
    int WaitT = -1;
    forEachEvent(K, [&](const ChanEvent &Ev, int T) {
      if (Ev.WaitsClose && !Wait) {
        Wait = &Ev;
        WaitT = T;
      }
    });
    if (!Wait || !Wait->Model || Wait->Model->ClosesOnDestruction)
      return; // the member's destructor closes it: order unclear, unsure
    SummaryCache &Cache = Ctx.tu().summaries();
    for (const CXXMethodDecl *M : RD->methods()) {
      if (M->isDeleted() || (M->isDefaulted() && !M->doesThisDeclarationHaveABody()))
        continue;
      if (M->isImplicit())
        continue;
      const FunctionDecl *Def = summaryDecl(M, Ctx.tu().Linked);
      if (!Def) {
        if (!M->hasBody())
          return; // defined somewhere the analysis does not see
        continue;
      }
      for (const ChanEvent &Ev : Cache.get(Def).Events)
        if (Ev.Key == K && (Ev.Kind == ChanOpKind::Close ||
                            Ev.Kind == ChanOpKind::ReceiverCancel ||
                            Ev.Kind == ChanOpKind::Escape))
          return;
    }
    // Templates and the class's own lambdas are summarised through the
    // methods that start them; anything else touching the member would
    // have to be a friend (excluded above).
    Conflicts.push_back({ConflictKind::Unclosed, *Wait, *Wait, WaitT, WaitT,
                         false, nullptr});
  }

  // Does the thread hold its own reference to the channel held by smart
  // pointer VD (captured or passed by value)?
  bool keepsAlive(const ThreadStart &T, const VarDecl *VD) const {
    if (designatedRecord(VD->getType()) ==
        VD->getType().getNonReferenceType()->getAsCXXRecordDecl())
      return false; // the channel object itself, not a smart pointer
    if (const auto *L = dyn_cast_or_null<LambdaExpr>(
            T.Callable ? stripWrappers(T.Callable) : nullptr)) {
      for (const LambdaCapture &C : L->captures())
        if (C.capturesVariable() && C.getCapturedVar() == VD)
          return C.getCaptureKind() == LCK_ByCopy;
      return false;
    }
    return false; // a function with arguments: not followed (unsure)
  }

  // A blocking send in a detached thread on a channel created here, which
  // the buffer cannot absorb: it waits for this function to receive.
  bool mayBlockForever(const ThreadStart &T, const ChanEvent &Send) const {
    if (Send.Kind != ChanOpKind::Send)
      return false;

    bool Detached = T.Detached || (T.Model && !T.Model->Methods.empty());
    if (!Detached || !owned(Send.Key))
      return false;
    const auto *VD = cast<VarDecl>(Send.Key.Root);
    if (Send.Model && Send.Model->ClosesOnDestruction &&
        designatedRecord(VD->getType()) ==
            VD->getType().getNonReferenceType()->getAsCXXRecordDecl())
      return false; // the owner's scope end closes it (and the sender then
                    // touches a dead object: thread-leak's business)
    // Nobody else receives from it.
    for (const ThreadStart &U : Threads)
      if (receives(U, Send.Key))
        return false;
    std::optional<uint64_t> Cap =
        usableCapacity(cast<VarDecl>(Send.Key.Root), Send.Model);
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

  void emit(ConflictKind K, const ChanEvent &Later, int LT,
            const ChanEvent &Earlier, int ET, bool Concurrent) {
    auto Key = std::make_tuple(int(K), Later.Site, Later.Op, Later.Ext,
                               Earlier.Site, Earlier.Op, Earlier.Ext);
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
    bool CloserReceives = CT >= 0 ? consumes(Threads[CT], Close.Key)
                                  : ownConsumes(Close.Key);
    if (!CloserSends && CloserReceives) {
      // The consumer closes under a running producer: Go's "only the
      // sender closes".
      emit(ConflictKind::ReceiverClose, Close, CT, Send, ST, true);
      return;
    }
    emit(CloserSends ? ConflictKind::CloseWithActiveSenders
                     : ConflictKind::SendAfterClose,
         Send, ST, Close, CT, true);
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

  // Thread U takes part in a counted close of K.
  bool closesOnce(int U, const ObjectKey &K) const {
    return llvm::any_of(Threads[U].Effects, [&](const ChanEvent &Ev) {
      return Ev.Kind == ChanOpKind::Close && Ev.Once && Ev.Key == K;
    });
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

  void onEvent(const ChanEvent &Ev, int Thread, State &S, bool Report) {
    if (Ev.Kind == ChanOpKind::Escape)
      return;
    // A close after the receiver gave up on a detached sender's value is
    // the wake-up that releases it, not a race with it.
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
        if (P.Send->Key == Ev.Key)
          P.GaveUp = &Ev;
    if (isSendOp(Ev.Kind) && Report)
      for (int T : S.Running)
        for (const ChanEvent &TE : Threads[T].Effects)
          if (TE.Key == Ev.Key && TE.Kind == ChanOpKind::Close)
            raceCloseSend(TE, T, Ev, Thread);
    if (Ev.Kind == ChanOpKind::Close) {
      if (Report) {
        auto It = S.Closed.find(Ev.Key);
        if (It != S.Closed.end())
          for (const CloseFact &F : It->second)
            if (F.Ev != &Ev && !sameCall(*F.Ev, Ev) &&
                !contradicts(F.Conds, S.Conds) && !(Ev.Once && F.Ev->Once))
              emit(ConflictKind::DoubleClose, Ev, Thread, *F.Ev, F.Thread,
                   false);
        for (int T : S.Running)
          for (const ChanEvent &TE : Threads[T].Effects) {
            if (!(TE.Key == Ev.Key) || llvm::is_contained(Waking, T))
              continue;
            if (TE.Kind == ChanOpKind::Close && !(TE.Once && Ev.Once))
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
            // Earlier instances of a thread started in a loop work on their
            // own iteration's channel when it is declared in the loop.
            if (U == T && perIteration(A.Key, TS))
              continue;
            if (A.Kind == ChanOpKind::Close && B.Kind == ChanOpKind::Close) {
              if (U == T && sends(TS, A.Key))
                continue; // reported as close with active senders below
              if (joinedBefore(A, U) || (A.Once && B.Once))
                continue;
              emit(ConflictKind::DoubleClose, A, T, B, U, true);
            } else if (A.Kind == ChanOpKind::Close && isSendOp(B.Kind)) {
              // The last of a counted group of senders closes: Go's
              // WaitGroup done by hand.
              if (!joinedBefore(A, U) && !(A.Once && closesOnce(U, A.Key)))
                raceCloseSend(A, T, B, U);
            } else if (isSendOp(A.Kind) && B.Kind == ChanOpKind::Close) {
              if (!(B.Once && closesOnce(T, B.Key)))
                raceCloseSend(B, U, A, T);
            }
          }
    }
    auto Pos = std::lower_bound(S.Running.begin(), S.Running.end(), T);
    if (Pos == S.Running.end() || *Pos != T)
      S.Running.insert(Pos, T);
    // One report per sender and channel: its last blocking send (the
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
  std::vector<ThreadStart> &Threads;
  std::vector<Conflict> &Conflicts;
  BodyFacts Facts;
  std::map<const CallExpr *, std::vector<ChanEvent>> CallEffects;
  std::map<const Stmt *, std::vector<ObjectKey>> LoopJoins;
  std::set<std::tuple<int, const Expr *, const Expr *, const ExternalOp *,
                      const Expr *, const Expr *, const ExternalOp *>>
      Seen;
};

} // namespace

clang::SourceLocation ChanEvent::opLoc() const {
  if (Op)
    return Op->getExprLoc();
  return Site ? Site->getExprLoc() : clang::SourceLocation();
}

ChannelFlow::ChannelFlow(FunctionAnalyses &Ctx) {
  if (Ctx.function()->getBody())
    FlowAnalysis(Ctx, Threads, Conflicts).run();
}

} // namespace tether
