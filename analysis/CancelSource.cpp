#include "CancelSource.h"
#include "ModelMatch.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/STLExtras.h"

#include <functional>

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
    Request = false;
    auto [Kind, Node] = classify(DRE);
    if (Outer)
      Node = Outer;
    Out.push_back({Kind, DRE, Node, Argument && !Outer, Request && !Outer});
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
    if (llvm::is_contained(M.Request, N)) {
      Request = true;
      return {SourceRefKind::Use, DRE};
    }
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
    // `auto tok = src.get_token();`: what the local does with it decides.
    if (const auto *DS = dyn_cast<DeclStmt>(P))
      if (DS->isSingleDecl())
        if (const auto *Tok = dyn_cast<VarDecl>(DS->getSingleDecl());
            Tok && Tok->hasLocalStorage() && !Tok->getType()->isReferenceType())
          return localTokenLeaves(Tok, 0) ? SourceRefKind::Handout
                                          : SourceRefKind::Query;
    Argument = isa<CallExpr, CXXConstructExpr>(P);
    return SourceRefKind::Handout;
  }

  // Does the token held by local Tok reach other code: passed to a call or
  // a spawn, captured, stored, returned? Queries on it (`stop_possible()`,
  // `stop_requested()`, in asserts or conditions) and copies into other
  // locals that are only queried keep it here.
  bool localTokenLeaves(const VarDecl *Tok, int Depth) const {
    if (Depth > 4)
      return true;
    bool Leaves = false;
    std::vector<const Stmt *> Path;
    std::function<void(const Stmt *)> Walk = [&](const Stmt *S) {
      if (!S || Leaves)
        return;
      Path.push_back(S);
      if (const auto *DR = dyn_cast<DeclRefExpr>(S);
          DR && DR->getDecl() &&
          DR->getDecl()->getCanonicalDecl() == Tok->getCanonicalDecl())
        Leaves = refLeaves(Path, Depth);
      for (const Stmt *C : S->children())
        Walk(C);
      Path.pop_back();
    };
    Walk(Stack.front());
    return Leaves;
  }

  // One reference to a local token (the last element of Path).
  bool refLeaves(const std::vector<const Stmt *> &Path, int Depth) const {
    size_t I = Path.size() - 1;
    while (I > 0 && (isTransparent(Path[I - 1]) || isCopyOrMove(Path[I - 1])))
      --I;
    if (I == 0)
      return true;
    const Stmt *P = Path[I - 1];
    if (const auto *ME = dyn_cast<MemberExpr>(P)) {
      const auto *MD = dyn_cast_or_null<CXXMethodDecl>(ME->getMemberDecl());
      // A const query on the token itself.
      return !(MD && MD->isConst() && I >= 2 &&
               isa<CXXMemberCallExpr>(Path[I - 2]));
    }
    if (const auto *DS = dyn_cast<DeclStmt>(P))
      if (DS->isSingleDecl())
        if (const auto *Copy = dyn_cast<VarDecl>(DS->getSingleDecl());
            Copy && Copy->hasLocalStorage() &&
            !Copy->getType()->isReferenceType())
          return localTokenLeaves(Copy, Depth + 1);
    return true;
  }

  const VarDecl *VD;
  const CancelSourceModel &M;
  const ModelSet &Models;
  std::vector<SourceRef> &Out;
  std::vector<const Stmt *> Stack;
  bool Argument = false;
  bool Request = false;
};

// Does the variable create a stop state of its own (`std::stop_source s;`,
// `folly::CancellationSource src;`), rather than hold a handle to an existing
// one: a copy of another source (`auto s = stop_;`) or one obtained from its
// owner (`auto s = jt.get_stop_source();` — ~jthread requests stop on it)?
// Only a state the function created is its to request.
bool createsStopState(const VarDecl *VD) {
  const Expr *Init = VD->getInit();
  if (!Init)
    return true;
  Init = Init->IgnoreImplicit();
  const auto *CE = dyn_cast<CXXConstructExpr>(Init);
  if (!CE || CE->getConstructor()->isCopyOrMoveConstructor())
    return false;
  return llvm::all_of(CE->arguments(),
                      [](const Expr *A) { return isa<CXXDefaultArgExpr>(A); });
}

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
            !VD->getType()->isDependentType() && createsStopState(VD))
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

const VarDecl *ownSourceOfToken(const Stmt *Body, const VarDecl *Tok,
                                const ModelSet &Models) {
  if (!Body || !Tok || !Tok->hasLocalStorage() || !Tok->getInit())
    return nullptr;
  const Expr *Init = Tok->getInit()->IgnoreImplicit();
  if (const auto *CE = dyn_cast<CXXConstructExpr>(Init);
      CE && CE->getNumArgs() == 1 && CE->getConstructor()->isCopyOrMoveConstructor())
    Init = CE->getArg(0)->IgnoreImplicit();
  const auto *MC = dyn_cast<CXXMemberCallExpr>(Init);
  const CXXMethodDecl *MD = MC ? MC->getMethodDecl() : nullptr;
  if (!MD || !MD->getIdentifier() || !MC->getImplicitObjectArgument())
    return nullptr;
  const auto *DR = dyn_cast<DeclRefExpr>(
      MC->getImplicitObjectArgument()->IgnoreParenImpCasts());
  const auto *Src = DR ? dyn_cast<VarDecl>(DR->getDecl()) : nullptr;
  if (!Src)
    return nullptr;
  for (const auto &[VD, M] : localSources(Body, Models)) {
    if (VD != Src || !llvm::is_contained(M->GetToken, MD->getName()))
      continue;
    for (const SourceRef &R : sourceRefs(Body, VD, *M, Models))
      if (R.Kind == SourceRefKind::Use && !R.Request)
        return nullptr; // passed on, copied, stored, or requested elsewhere
    return VD;
  }
  return nullptr;
}

} // namespace tether
