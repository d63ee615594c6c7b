#include "ChannelShapes.h"
#include "Summaries.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Index/USRGeneration.h"

using namespace clang;

namespace tether {
namespace chan {

namespace {
// A condition that steps a counter: a decrement, an atomic read-modify-write.
bool hasCounterStep(const Stmt *S, const ModelSet &Models);
} // namespace

// A callee whose body the analysis follows: user code. Library internals
// (system headers) are described by the models instead.
bool summarisable(const FunctionDecl *Callee) {
  const FunctionDecl *Def = nullptr;
  if (!Callee || Callee->isInStdNamespace() || !Callee->hasBody(Def))
    return false;
  return !inSystemHeader(Def);
}

// A user function declared here and defined in another TU.
bool externalUserFunction(const FunctionDecl *Callee) {
  if (!Callee || Callee->isInStdNamespace() || Callee->hasBody() ||
      Callee->isDependentContext() || Callee->getBuiltinID())
    return false;
  return !inSystemHeader(Callee);
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

namespace {
// A condition that is true for exactly one caller: a decrement, an atomic
// read-modify-write or compare-exchange.
bool hasCounterStep(const Stmt *S, const ModelSet &Models) {
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
      if (MD->getIdentifier() && Models.isAtomicStep(MD->getName().str()))
        return true;
  for (const Stmt *C : S->children())
    if (hasCounterStep(C, Models))
      return true;
  return false;
}

} // namespace

// A condition that is true for exactly one caller: an atomic exchange or
// compare-exchange, or a counter step compared for equality
// (`live.fetch_sub(1) == 1`, `--pending == 0`, `!--n`).
bool isOnceCondition(const Stmt *S, const ModelSet &Models) {
  if (!S || isa<LambdaExpr>(S))
    return false;
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S))
    if (const CXXMethodDecl *MD = MC->getMethodDecl())
      if (MD->getIdentifier() && Models.isAtomicClaim(MD->getName().str()))
        return true;
  if (const auto *BO = dyn_cast<BinaryOperator>(S))
    if (BO->getOpcode() == BO_EQ &&
        (hasCounterStep(BO->getLHS(), Models) ||
         hasCounterStep(BO->getRHS(), Models)))
      return true;
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S))
    if (Op->getOperator() == OO_EqualEqual && hasCounterStep(Op, Models))
      return true;
  if (const auto *UO = dyn_cast<UnaryOperator>(S))
    if (UO->getOpcode() == UO_LNot && hasCounterStep(UO->getSubExpr(), Models))
      return true;
  for (const Stmt *C : S->children())
    if (isOnceCondition(C, Models))
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
bool createsChannel(const Expr *Init, const ModelSet &Models) {
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
      return !Direct && CE->getNumArgs() == 1 &&
             createsChannel(CE->getArg(0), Models);
    if (Direct)
      return true;
    // shared_ptr<Chan>(new Chan(…))
    return CE->getNumArgs() >= 1 && createsChannel(CE->getArg(0), Models);
  }
  if (const auto *Call = dyn_cast<CallExpr>(Init))
    return smartPointerFactoryCall(Call, Models) != nullptr;
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
  if (!FD || !isForEachCall(Call, Models) || Call->getNumArgs() < 2)
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
const Expr *latchWaited(const Expr *E, const ModelSet &Models) {
  return latchCall(E, Models, true);
}

// Keys of the latches a body counts down (outside the lambdas it creates).
void latchesCountedDown(const Stmt *S, const ObjectResolver &R,
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

bool hasGoto(const Stmt *S) {
  if (!S || isa<LambdaExpr>(S))
    return false;
  if (isa<GotoStmt, IndirectGotoStmt>(S))
    return true;
  for (const Stmt *C : S->children())
    if (hasGoto(C))
      return true;
  return false;
}

std::optional<uint64_t> usableCapacity(const VarDecl *VD,
                                       const ChannelModel *M,
                                       const ModelSet &Models,
                                       ASTContext &AST) {
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
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      // make_shared<Chan>(args…); the allocating factories are not
      // followed (their first argument is the allocator).
      bool Allocates = false;
      if (smartPointerFactoryCall(Call, Models, &Allocates) && !Allocates) {
        for (const Expr *A : Call->arguments())
          CtorArgs.push_back(A);
        Found = true;
        break;
      }
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
      if (!CtorArgs[M->CapacityArg]->EvaluateAsInt(R, AST))
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

} // namespace chan

std::string usrOf(const FunctionDecl *FD) {
  llvm::SmallString<128> Buf;
  if (!FD || clang::index::generateUSRForDecl(FD, Buf))
    return {};
  return std::string(Buf);
}

} // namespace tether
