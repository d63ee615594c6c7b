#include "CancelSource.h"
#include "ModelMatch.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/STLExtras.h"

using namespace clang;

namespace tether {
namespace {

bool isTransparent(const Stmt *S) {
  return isa<ImplicitCastExpr, ParenExpr, MaterializeTemporaryExpr,
             CXXBindTemporaryExpr, ExprWithCleanups>(S);
}

bool isCopyOrMove(const Stmt *S) {
  const auto *CE = dyn_cast<CXXConstructExpr>(S);
  return CE && CE->getNumArgs() == 1 && CE->getConstructor() &&
         CE->getConstructor()->isCopyOrMoveConstructor();
}

class RefWalker {
public:
  RefWalker(const VarDecl *VD, const CancelSourceModel &M,
            const ModelSet &Models, std::vector<SourceRef> &Out)
      : VD(VD), M(M), Models(Models), Out(Out) {}

  void walk(const Stmt *S, const LambdaExpr *Outer) {
    if (!S)
      return;
    Stack.push_back(S);
    if (const auto *L = dyn_cast<LambdaExpr>(S)) {
      // Init-captures are evaluated by the enclosing function; plain
      // captures are judged by what the body does with the variable.
      auto Init = L->capture_init_begin();
      for (const LambdaCapture &C : L->captures()) {
        if (Init == L->capture_init_end())
          break;
        if (C.capturesVariable())
          if (const auto *CV = dyn_cast<VarDecl>(C.getCapturedVar());
              CV && CV->isInitCapture())
            walk(*Init, Outer);
        ++Init;
      }
      walk(L->getBody(), Outer ? Outer : L);
    } else {
      if (const auto *DRE = dyn_cast<DeclRefExpr>(S))
        if (DRE->getDecl() &&
            DRE->getDecl()->getCanonicalDecl() == VD->getCanonicalDecl())
          record(DRE, Outer);
      for (const Stmt *C : S->children())
        walk(C, Outer);
    }
    Stack.pop_back();
  }

private:
  // The ancestor above position I of the stack, skipping implicit nodes.
  size_t up(size_t I) const {
    while (I > 0 && isTransparent(Stack[I - 1]))
      --I;
    return I;
  }

  void record(const DeclRefExpr *DRE, const LambdaExpr *Outer) {
    Argument = false;
    auto [Kind, Node] = classify(DRE);
    if (Outer)
      Node = Outer;
    Out.push_back({Kind, DRE, Node, Argument && !Outer});
  }

  std::pair<SourceRefKind, const Stmt *> classify(const DeclRefExpr *DRE) {
    size_t I = up(Stack.size() - 1); // Stack.back() is DRE
    if (I == 0)
      return {SourceRefKind::Use, DRE};
    const auto *ME = dyn_cast<MemberExpr>(Stack[I - 1]);
    if (!ME || I < 2)
      return {SourceRefKind::Use, DRE};
    const auto *Call = dyn_cast<CXXMemberCallExpr>(Stack[I - 2]);
    const auto *MD = dyn_cast_or_null<CXXMethodDecl>(ME->getMemberDecl());
    if (!Call || Call->getCallee()->IgnoreParens() != ME || !MD ||
        !MD->getIdentifier())
      return {SourceRefKind::Use, DRE};
    StringRef N = MD->getName();
    if (llvm::is_contained(M.Request, N))
      return {SourceRefKind::Use, DRE};
    if (llvm::is_contained(M.GetToken, N))
      return {tokenFate(I - 2), Call};
    if (MD->isConst())
      return {SourceRefKind::Query, DRE};
    return {SourceRefKind::Use, DRE};
  }

  // What happens to the token returned by the call at Stack[I].
  SourceRefKind tokenFate(size_t I) {
    size_t J = I;
    while (J > 0 && (isTransparent(Stack[J - 1]) || isCopyOrMove(Stack[J - 1])))
      --J;
    if (J == 0)
      return SourceRefKind::Handout;
    const Stmt *P = Stack[J - 1];
    // `src.get_token().stop_requested()`: queried on the spot.
    if (isa<MemberExpr>(P))
      return SourceRefKind::Query;
    // `std::stop_callback cb(src.get_token(), …)`: registering on one's own
    // token hands nothing out.
    if (const auto *CE = dyn_cast<CXXConstructExpr>(P))
      if (isCancelCallbackType(CE->getType(), Models))
        return SourceRefKind::Query;
    Argument = isa<CallExpr, CXXConstructExpr>(P);
    return SourceRefKind::Handout;
  }

  const VarDecl *VD;
  const CancelSourceModel &M;
  const ModelSet &Models;
  std::vector<SourceRef> &Out;
  std::vector<const Stmt *> Stack;
  bool Argument = false;
};

void collectLocals(
    const Stmt *S, const ModelSet &Models,
    std::vector<std::pair<const VarDecl *, const CancelSourceModel *>> &Out) {
  if (!S || isa<LambdaExpr>(S))
    return;
  if (const auto *DS = dyn_cast<DeclStmt>(S))
    for (const Decl *D : DS->decls())
      if (const auto *VD = dyn_cast<VarDecl>(D))
        if (VD->hasLocalStorage() && !isa<ParmVarDecl>(VD) &&
            !VD->getType()->isReferenceType() &&
            !VD->getType()->isDependentType())
          if (const CancelSourceModel *M =
                  cancelSourceModelOf(VD->getType(), Models);
              M && !M->RequestsOnDestruction)
            Out.push_back({VD, M});
  for (const Stmt *C : S->children())
    collectLocals(C, Models, Out);
}

} // namespace

std::vector<SourceRef> sourceRefs(const Stmt *Body, const VarDecl *VD,
                                  const CancelSourceModel &M,
                                  const ModelSet &Models) {
  std::vector<SourceRef> Out;
  if (Body && VD)
    RefWalker(VD, M, Models, Out).walk(Body, nullptr);
  return Out;
}

std::vector<std::pair<const VarDecl *, const CancelSourceModel *>>
localSources(const Stmt *Body, const ModelSet &Models) {
  std::vector<std::pair<const VarDecl *, const CancelSourceModel *>> Out;
  collectLocals(Body, Models, Out);
  return Out;
}

} // namespace tether
