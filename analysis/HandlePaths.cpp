#include "HandlePaths.h"
#include "ASTHelpers.h"
#include "AnalysisContext.h"
#include "Facts.h"
#include "ModelMatch.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"

#include <deque>

using namespace clang;

namespace tether {

HandlePaths::HandlePaths(FunctionAnalyses &FA)
    : FD(FA.function()), Models(FA.tu().Models), Facts(FA.tu().facts()) {
  G = FA.cfg(CFGKind::ImplicitDtors);
  if (!G)
    return;
  for (const CFGBlock *B : *G) {
    unsigned I = 0;
    for (const CFGElement &E : *B) {
      if (auto CS = E.getAs<CFGStmt>())
        Where.try_emplace(CS->getStmt(), B, I);
      ++I;
    }
    if (const auto *T = dyn_cast_or_null<CXXTryStmt>(B->getTerminatorStmt()))
      TryDispatch[T] = B;
  }
  innermostTries(FD->getBody(), nullptr, TryOf);
}

void HandlePaths::collectUses(const Stmt *S, const VarDecl *VD,
                              llvm::DenseSet<const Stmt *> &Out) {
  if (!S)
    return;
  if (const auto *L = dyn_cast<LambdaExpr>(S)) {
    for (const LambdaCapture &C : L->captures())
      if (C.capturesVariable() && C.getCapturedVar() == VD)
        Out.insert(L);
    return;
  }
  if (const auto *DR = dyn_cast<DeclRefExpr>(S))
    if (DR->getDecl() == VD)
      Out.insert(DR);
  for (const Stmt *C : S->children())
    collectUses(C, VD, Out);
}

bool HandlePaths::mayThrow(const CallExpr *Call, const ModelSet &Models) {
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee)
    return true;
  if (Callee->isNoReturn())
    return false;
  if (auto H = matchHandleOp(Call, Models);
      H && (H->Kind == HandleOpKind::Join || H->Kind == HandleOpKind::Detach))
    return false;
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call))
    if ((Op->getOperator() == OO_LessLess ||
         Op->getOperator() == OO_GreaterGreater) &&
        Op->getNumArgs() == 2 && isStreamType(Op->getArg(0)->getType(), Models))
      return false;
  if (const auto *FPT = Callee->getType()->getAs<FunctionProtoType>())
    if (FPT->isNothrow())
      return false;
  return true;
}

std::optional<UnusedExit>
HandlePaths::firstUnusedExit(const VarDecl *VD, const Stmt *Start) const {
  if (!G || !VD || !VD->hasLocalStorage() || !Start)
    return std::nullopt;
  auto W = Where.find(Start);
  if (W == Where.end())
    return std::nullopt;
  llvm::DenseSet<const Stmt *> Uses;
  collectUses(FD->getBody(), VD, Uses);
  Uses.insert(Start);
  bool UsedSomewhere = Uses.size() > 1;
  const Stmt *DeclOfVar = nullptr;
  for (const auto &[St, Pos] : Where)
    if (const auto *DS = dyn_cast<DeclStmt>(St))
      if (llvm::is_contained(DS->decls(), VD))
        DeclOfVar = DS;

  struct Item {
    const CFGBlock *B;
    unsigned Index;
    const CallExpr *Via; // an exception thrown by this call got here
  };
  std::deque<Item> Work;
  llvm::DenseSet<const CFGBlock *> Seen;
  Work.push_back({W->second.first, W->second.second + 1, nullptr});
  const CFGBlock *Exit = &G->getExit();
  while (!Work.empty()) {
    Item It = Work.front();
    Work.pop_front();
    const CFGBlock *B = It.B;
    bool Used = false, Ends = false;
    for (unsigned I = It.Index; I < B->size(); ++I) {
      CFGElement E = (*B)[I];
      if (auto Dtor = E.getAs<CFGAutomaticObjDtor>()) {
        if (Dtor->getVarDecl() == VD) {
          UnusedExit X = exitAt(B, I, *Dtor);
          X.Via = It.Via;
          X.UsedSomewhere = UsedSomewhere;
          return X;
        }
        continue;
      }
      auto CS = E.getAs<CFGStmt>();
      if (!CS)
        continue;
      const Stmt *St = CS->getStmt();
      if (Uses.contains(St)) {
        Used = true;
        break;
      }
      if (isa<CXXThrowExpr>(St)) {
        for (const CFGBlock::AdjacentBlock &Succ : B->succs())
          if (Succ.getReachableBlock() == Exit) {
            UnusedExit X;
            X.Kind = ExitKind::Throw;
            X.At = St;
            X.Loc = St->getBeginLoc();
            X.UsedSomewhere = UsedSomewhere;
            return X;
          }
        continue;
      }
      const auto *Call = dyn_cast<CallExpr>(St);
      if (!Call)
        continue;
      auto T = TryOf.find(Call);
      if (T != TryOf.end() && mayThrow(Call, Models)) {
        const CXXTryStmt *Try = T->second;
        if (DeclOfVar && containsStmt(Try->getTryBlock(), DeclOfVar)) {
          // The exception leaves the variable's scope: it is destroyed
          // during unwinding while still joinable.
          UnusedExit X;
          X.Kind = ExitKind::ExceptionDestroys;
          X.At = Call;
          X.Loc = Call->getBeginLoc();
          X.UsedSomewhere = UsedSomewhere;
          return X;
        }
        for (const CFGBlock *H : handlersOf(Try))
          if (Seen.insert(H).second)
            Work.push_back({H, 0, Call});
      }
      if (!Facts.returns(Call)) {
        // The function never gets past this call: nothing after it runs,
        // the handle's destructor included.
        Ends = true;
        break;
      }
    }
    if (Used || Ends)
      continue;
    for (const CFGBlock::AdjacentBlock &Succ : B->succs())
      if (const CFGBlock *N = Succ.getReachableBlock())
        if (Seen.insert(N).second)
          Work.push_back({N, 0, It.Via});
  }
  return std::nullopt;
}

UnusedExit HandlePaths::exitAt(const CFGBlock *B, unsigned DtorIndex,
                               const CFGAutomaticObjDtor &Dtor) const {
  UnusedExit X;
  for (unsigned I = DtorIndex; I-- > 0;)
    if (auto CS = (*B)[I].getAs<CFGStmt>())
      if (isa<ReturnStmt>(CS->getStmt())) {
        X.Kind = ExitKind::Return;
        X.At = CS->getStmt();
        X.Loc = X.At->getBeginLoc();
        return X;
      }
  if (const Stmt *T = B->getTerminatorStmt()) {
    if (isa<BreakStmt>(T)) {
      X.Kind = ExitKind::Break;
      X.At = T;
      X.Loc = T->getBeginLoc();
      return X;
    }
    if (isa<ContinueStmt, GotoStmt>(T)) {
      X.Kind = ExitKind::Jump;
      X.At = T;
      X.Loc = T->getBeginLoc();
      return X;
    }
  }
  X.Kind = ExitKind::ScopeEnd;
  const Stmt *Trigger = Dtor.getTriggerStmt();
  if (const auto *CS = dyn_cast_or_null<CompoundStmt>(Trigger))
    X.Loc = CS->getRBracLoc();
  else if (Trigger)
    X.Loc = Trigger->getBeginLoc();
  return X;
}

bool HandlePaths::returnsAfter(const Stmt *S) const {
  if (!G)
    return true;
  auto W = Where.find(S);
  if (W == Where.end())
    return true;
  const CFGBlock *Exit = &G->getExit();
  // Blocks to search, each from an element on.
  std::vector<std::pair<const CFGBlock *, unsigned>> Work{
      {W->second.first, W->second.second + 1}};
  llvm::DenseSet<const CFGBlock *> Seen{W->second.first};
  auto Push = [&](const CFGBlock *N) {
    if (N && Seen.insert(N).second)
      Work.push_back({N, 0});
  };
  while (!Work.empty()) {
    auto [B, From] = Work.back();
    Work.pop_back();
    if (B == Exit)
      return true;
    bool Ends = false;
    for (unsigned I = From; I < B->size() && !Ends; ++I) {
      auto CS = (*B)[I].getAs<CFGStmt>();
      const auto *Call = CS ? dyn_cast<CallExpr>(CS->getStmt()) : nullptr;
      if (!Call)
        continue;
      // An exception from a call in a `try` block reaches the handlers,
      // which may return.
      if (auto T = TryOf.find(Call);
          T != TryOf.end() && mayThrow(Call, Models))
        for (const CFGBlock *H : handlersOf(T->second))
          Push(H);
      Ends = !Facts.returns(Call);
    }
    // A `[[noreturn]]` call's block leads to the exit in the CFG, but
    // nothing returns through it.
    if (Ends || B->hasNoReturnElement())
      continue;
    for (const CFGBlock::AdjacentBlock &Succ : B->succs())
      Push(Succ.getReachableBlock());
  }
  return false;
}

llvm::SmallVector<const CFGBlock *, 2>
HandlePaths::handlersOf(const CXXTryStmt *Try) const {
  llvm::SmallVector<const CFGBlock *, 2> Out;
  auto D = TryDispatch.find(Try);
  if (D != TryDispatch.end())
    for (const CFGBlock::AdjacentBlock &Succ : D->second->succs())
      if (const CFGBlock *H = Succ.getReachableBlock();
          H && H != &G->getExit()) // no handler matched: the exception
        Out.push_back(H);          // leaves (not followed, see above)
  return Out;
}

} // namespace tether
