#include "WaitDecision.h"
#include "ASTHelpers.h"
#include "ObjectWrites.h"

#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/DenseSet.h"

using namespace clang;

namespace tether {
namespace {

// The statements from S down to Target (both included), if Target is in S.
bool pathTo(const Stmt *S, const Stmt *Target,
            llvm::SmallVectorImpl<const Stmt *> &Path) {
  if (!S || isa<LambdaExpr>(S))
    return false;
  Path.push_back(S);
  if (S == Target)
    return true;
  for (const Stmt *C : S->children())
    if (pathTo(C, Target, Path))
      return true;
  Path.pop_back();
  return false;
}

// Does S leave the enclosing block or loop (return, break, continue, throw,
// goto), not counting nested lambdas?
bool leaves(const Stmt *S) {
  if (!S || isa<LambdaExpr>(S))
    return false;
  if (isa<ReturnStmt, BreakStmt, ContinueStmt, GotoStmt, CXXThrowExpr>(S))
    return true;
  for (const Stmt *C : S->children())
    if (leaves(C))
      return true;
  return false;
}

// The condition of a test that leaves: `if (stop_) return;`.
const Stmt *leavingTest(const Stmt *S) {
  const auto *If = dyn_cast_or_null<IfStmt>(S);
  if (!If || (!leaves(If->getThen()) && !leaves(If->getElse())))
    return nullptr;
  return If->getCond();
}

// The local variables of the function read in S.
void localsRead(const Stmt *S, const Stmt *Body,
                llvm::SmallVectorImpl<const VarDecl *> &Out) {
  if (!S || isa<LambdaExpr>(S))
    return;
  if (const auto *DR = dyn_cast<DeclRefExpr>(S))
    if (const auto *VD = dyn_cast<VarDecl>(DR->getDecl()))
      if (VD->isLocalVarDecl() && !VD->isStaticLocal()) {
        SourceRange R = Body->getSourceRange();
        if (R.getBegin() <= VD->getLocation() &&
            VD->getLocation() <= R.getEnd())
          Out.push_back(VD);
      }
  for (const Stmt *C : S->children())
    localsRead(C, Body, Out);
}

// The values assigned to VD in S: `v = …`, `v |= …`.
void assignedValues(const Stmt *S, const VarDecl *VD,
                    llvm::SmallVectorImpl<const Stmt *> &Out) {
  if (!S || isa<LambdaExpr>(S))
    return;
  if (const auto *BO = dyn_cast<BinaryOperator>(S))
    if (BO->isAssignmentOp())
      if (const auto *DR =
              dyn_cast<DeclRefExpr>(BO->getLHS()->IgnoreParenImpCasts());
          DR && DR->getDecl() == VD)
        Out.push_back(BO->getRHS());
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S))
    if (Op->isAssignmentOp() && Op->getNumArgs() == 2)
      if (const auto *DR =
              dyn_cast<DeclRefExpr>(Op->getArg(0)->IgnoreParenImpCasts());
          DR && DR->getDecl() == VD)
        Out.push_back(Op->getArg(1));
  for (const Stmt *C : S->children())
    assignedValues(C, VD, Out);
}

} // namespace

llvm::SmallVector<Decider, 8> waitDecision(const Stmt *Body,
                                           const Expr *Wait) {
  llvm::SmallVector<Decider, 8> Out;
  llvm::SmallVector<const Stmt *, 16> Path;
  if (!pathTo(Body, Wait, Path))
    return Out;
  // The outermost loop around the wait: blocks inside it come back to the
  // wait, so their tests after it decide too.
  size_t FirstLoop = Path.size();
  for (size_t I = 0; I < Path.size(); ++I)
    if (isLoop(Path[I])) {
      FirstLoop = I;
      break;
    }
  // The innermost loop whose body holds the wait.
  size_t Innermost = 0;
  for (size_t I = 0; I + 1 < Path.size(); ++I)
    if (isLoop(Path[I]) && Path[I + 1] == loopBody(Path[I]))
      Innermost = I;
  for (size_t I = Path.size() - 1; I > 0; --I) {
    const Stmt *S = Path[I - 1];
    const Stmt *Child = Path[I];
    bool InLoop = FirstLoop < I - 1;
    size_t Before = Out.size();
    if (const auto *If = dyn_cast<IfStmt>(S)) {
      if (Child != If->getCond())
        Out.push_back({If->getCond(), Child == If->getThen() ? Reach::WhenTrue
                                      : Child == If->getElse()
                                          ? Reach::WhenFalse
                                          : Reach::Either});
    } else if (const auto *W = dyn_cast<WhileStmt>(S)) {
      Out.push_back({W->getCond(), Child == W->getBody() ? Reach::WhenTrue
                                                         : Reach::Either});
    } else if (const auto *D = dyn_cast<DoStmt>(S)) {
      // The body runs once before the test: the wait is reached again
      // while it holds.
      Out.push_back({D->getCond(), Child == D->getBody() ? Reach::WhenTrue
                                                         : Reach::Either});
    } else if (const auto *F = dyn_cast<ForStmt>(S)) {
      if (F->getCond())
        Out.push_back({F->getCond(), Child == F->getBody() ? Reach::WhenTrue
                                                           : Reach::Either});
    } else if (const auto *Sw = dyn_cast<SwitchStmt>(S)) {
      Out.push_back({Sw->getCond(), Reach::Either});
    } else if (const auto *CO = dyn_cast<AbstractConditionalOperator>(S)) {
      if (Child != CO->getCond())
        Out.push_back({CO->getCond(), Child == CO->getTrueExpr()
                                          ? Reach::WhenTrue
                                      : Child == CO->getFalseExpr()
                                          ? Reach::WhenFalse
                                          : Reach::Either});
    } else if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
      if (BO->isLogicalOp() && Child == BO->getRHS())
        Out.push_back({BO->getLHS(), BO->getOpcode() == BO_LAnd
                                         ? Reach::WhenTrue
                                         : Reach::WhenFalse});
    } else if (const auto *CS = dyn_cast<CompoundStmt>(S)) {
      bool Before = true;
      for (const Stmt *C : CS->body()) {
        if (C == Child) {
          Before = false;
          continue;
        }
        if (Before || InLoop)
          if (const Stmt *Cond = leavingTest(C)) {
            const auto *If = cast<IfStmt>(C);
            bool ThenLeaves = leaves(If->getThen());
            bool ElseLeaves = leaves(If->getElse());
            Out.push_back({Cond, ThenLeaves && !ElseLeaves ? Reach::WhenFalse
                                 : ElseLeaves && !ThenLeaves
                                     ? Reach::WhenTrue
                                     : Reach::Either});
          }
      }
    }
    for (size_t J = Before; J < Out.size(); ++J)
      Out[J].Rewaits = I - 1 >= Innermost;
  }
  // What the locals read there hold.
  llvm::DenseSet<const VarDecl *> Seen;
  for (size_t I = 0; I < Out.size() && Out.size() < 64; ++I) {
    llvm::SmallVector<const VarDecl *, 4> Locals;
    localsRead(Out[I].S, Body, Locals);
    for (const VarDecl *VD : Locals) {
      if (!Seen.insert(VD).second)
        continue;
      if (const Expr *Init = VD->getInit())
        Out.push_back({Init, Reach::Either});
      llvm::SmallVector<const Stmt *, 4> Values;
      assignedValues(Body, VD, Values);
      for (const Stmt *V : Values)
        Out.push_back({V, Reach::Either});
    }
  }
  return Out;
}

Decider predicateDecision(const Stmt *PredicateBody) {
  if (const auto *CS = dyn_cast_or_null<CompoundStmt>(PredicateBody);
      CS && CS->size() == 1)
    if (const auto *R = dyn_cast<ReturnStmt>(CS->body_front());
        R && R->getRetValue())
      return {R->getRetValue(), Reach::WhenFalse};
  return {PredicateBody, Reach::Either};
}

bool mayRelease(const Decider &D, const Expr *Read, const Expr *Value,
                const ASTContext &AST, const ModelSet &Models) {
  if (D.When == Reach::Either || !Read || !Value || Value->isValueDependent())
    return true;
  Expr::EvalResult R;
  if (!Value->EvaluateAsInt(R, AST) || R.Val.getInt().getSignificantBits() > 64)
    return true;
  int64_t Lit = R.Val.getInt().getExtValue();
  llvm::SmallVector<const Stmt *, 16> Path;
  if (!pathTo(D.S, Read, Path))
    return true;
  // Up from the read: first its value (Lit), through conversions, `!` and
  // comparisons with constants; then, once inside `&&`/`||`, only which
  // way the decision moves with it (Rising: the decision is true when the
  // read's condition is).
  bool Monotone = false, Rising = true;
  for (size_t I = Path.size() - 1; I > 0; --I) {
    const Stmt *Parent = Path[I - 1];
    const Stmt *Child = Path[I];
    if (isa<ParenExpr, ExprWithCleanups, MaterializeTemporaryExpr,
            CXXBindTemporaryExpr>(Parent))
      continue;
    if (const auto *IC = dyn_cast<ImplicitCastExpr>(Parent)) {
      if (!Monotone && (IC->getCastKind() == CK_IntegralToBoolean ||
                        IC->getCastKind() == CK_PointerToBoolean))
        Lit = Lit != 0;
      continue;
    }
    if (const auto *U = dyn_cast<UnaryOperator>(Parent)) {
      if (U->getOpcode() != UO_LNot)
        return true;
      if (Monotone)
        Rising = !Rising;
      else
        Lit = Lit == 0;
      continue;
    }
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Parent)) {
      // An atomic's load() or conversion, called on the read: its value.
      // Nothing else.
      const CXXMethodDecl *M = MC->getMethodDecl();
      const Expr *Object = MC->getImplicitObjectArgument();
      if (Monotone || !M || !M->isConst() || !Object ||
          Child != MC->getCallee()->IgnoreParenImpCasts() ||
          !MC->getType()->isIntegralOrEnumerationType() ||
          !isAtomicType(Object->getType(), Models))
        return true;
      continue;
    }
    if (const auto *ME = dyn_cast<MemberExpr>(Parent)) {
      // `flag_.load` on its way to the call above it.
      const auto *Call = I >= 2 ? dyn_cast<CXXMemberCallExpr>(Path[I - 2])
                                : nullptr;
      if (Monotone || !Call || Call->getCallee()->IgnoreParenImpCasts() != ME)
        return true;
      continue;
    }
    if (const auto *B = dyn_cast<BinaryOperator>(Parent)) {
      if (B->isLogicalOp()) {
        if (!Monotone) {
          Monotone = true;
          Lit = Lit != 0;
        }
        continue;
      }
      if (Monotone || !B->isComparisonOp())
        return true;
      const Expr *Other = Child == B->getLHS() ? B->getRHS() : B->getLHS();
      Expr::EvalResult OR;
      if (Other->isValueDependent() || !Other->EvaluateAsInt(OR, AST) ||
          OR.Val.getInt().getSignificantBits() > 64)
        return true;
      int64_t O = OR.Val.getInt().getExtValue();
      int64_t L = Child == B->getLHS() ? Lit : O;
      int64_t Rt = Child == B->getLHS() ? O : Lit;
      switch (B->getOpcode()) {
      case BO_EQ: Lit = L == Rt; break;
      case BO_NE: Lit = L != Rt; break;
      case BO_LT: Lit = L < Rt; break;
      case BO_GT: Lit = L > Rt; break;
      case BO_LE: Lit = L <= Rt; break;
      case BO_GE: Lit = L >= Rt; break;
      default: return true;
      }
      continue;
    }
    return true; // a call, an assignment, arithmetic: not followed
  }
  // The read's condition after the write, and which way it moves the
  // decision: it cannot end the wait when it pushes the decision towards
  // reaching it.
  bool Cond = Lit != 0;
  bool TowardsTrue = Rising ? Cond : !Cond;
  return TowardsTrue != (D.When == Reach::WhenTrue);
}

bool fixedDeadline(const Stmt *Body, const Expr *Wait, const Expr *Deadline) {
  const Expr *E = Deadline->IgnoreParenImpCasts();
  if (const auto *Tmp = dyn_cast<MaterializeTemporaryExpr>(E))
    E = Tmp->getSubExpr()->IgnoreParenImpCasts();
  if (const auto *CE = dyn_cast<CXXConstructExpr>(E);
      CE && CE->getNumArgs() == 1)
    E = CE->getArg(0)->IgnoreParenImpCasts();
  if (isa<MemberExpr>(E))
    return true;
  const auto *DR = dyn_cast<DeclRefExpr>(E);
  const auto *VD = DR ? dyn_cast<VarDecl>(DR->getDecl()) : nullptr;
  if (!VD)
    return false;
  if (isa<ParmVarDecl>(VD) || VD->hasGlobalStorage())
    return true;
  llvm::SmallVector<const Stmt *, 16> Path;
  if (!pathTo(Body, Wait, Path))
    return false;
  for (const Stmt *S : Path)
    if (isLoop(S)) {
      SourceRange R = S->getSourceRange();
      if (R.getBegin() <= VD->getLocation() && VD->getLocation() <= R.getEnd())
        return false; // set again on every round
    }
  return true;
}

} // namespace tether
