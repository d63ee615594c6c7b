#include "WaitDecision.h"
#include "ASTHelpers.h"

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

llvm::SmallVector<const Stmt *, 8> waitDecision(const Stmt *Body,
                                                const Expr *Wait) {
  llvm::SmallVector<const Stmt *, 8> Out;
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
  for (size_t I = Path.size() - 1; I > 0; --I) {
    const Stmt *S = Path[I - 1];
    const Stmt *Child = Path[I];
    bool InLoop = FirstLoop < I - 1;
    if (const auto *If = dyn_cast<IfStmt>(S)) {
      if (Child != If->getCond())
        Out.push_back(If->getCond());
    } else if (const auto *W = dyn_cast<WhileStmt>(S)) {
      Out.push_back(W->getCond());
    } else if (const auto *D = dyn_cast<DoStmt>(S)) {
      Out.push_back(D->getCond());
    } else if (const auto *F = dyn_cast<ForStmt>(S)) {
      if (F->getCond())
        Out.push_back(F->getCond());
    } else if (const auto *Sw = dyn_cast<SwitchStmt>(S)) {
      Out.push_back(Sw->getCond());
    } else if (const auto *CO = dyn_cast<AbstractConditionalOperator>(S)) {
      if (Child != CO->getCond())
        Out.push_back(CO->getCond());
    } else if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
      if (BO->isLogicalOp() && Child == BO->getRHS())
        Out.push_back(BO->getLHS());
    } else if (const auto *CS = dyn_cast<CompoundStmt>(S)) {
      bool Before = true;
      for (const Stmt *C : CS->body()) {
        if (C == Child) {
          Before = false;
          continue;
        }
        if (Before || InLoop)
          if (const Stmt *Cond = leavingTest(C))
            Out.push_back(Cond);
      }
    }
  }
  // What the locals read there hold.
  llvm::DenseSet<const VarDecl *> Seen;
  for (size_t I = 0; I < Out.size() && Out.size() < 64; ++I) {
    llvm::SmallVector<const VarDecl *, 4> Locals;
    localsRead(Out[I], Body, Locals);
    for (const VarDecl *VD : Locals) {
      if (!Seen.insert(VD).second)
        continue;
      if (const Expr *Init = VD->getInit())
        Out.push_back(Init);
      llvm::SmallVector<const Stmt *, 4> Values;
      assignedValues(Body, VD, Values);
      Out.append(Values.begin(), Values.end());
    }
  }
  return Out;
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
