#include "ASTHelpers.h"
#include "ModelMatch.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/StmtCXX.h"

using namespace clang;

namespace tether {

const FunctionDecl *enclosingNamedFunction(const FunctionDecl *FD) {
  while (FD) {
    const auto *MD = dyn_cast<CXXMethodDecl>(FD);
    if (!MD || !MD->getParent()->isLambda())
      break;
    FD = dyn_cast_or_null<FunctionDecl>(
        MD->getParent()->getDeclContext()->getNonClosureAncestor());
  }
  return FD;
}

bool inSystemHeader(const SourceManager &SM, SourceLocation L) {
  return L.isValid() && SM.isInSystemHeader(SM.getExpansionLoc(L));
}

bool isLoop(const Stmt *S) {
  return isa<ForStmt, WhileStmt, CXXForRangeStmt, DoStmt>(S);
}

const Stmt *loopBody(const Stmt *Loop) {
  if (const auto *F = dyn_cast<ForStmt>(Loop))
    return F->getBody();
  if (const auto *R = dyn_cast<CXXForRangeStmt>(Loop))
    return R->getBody();
  if (const auto *W = dyn_cast<WhileStmt>(Loop))
    return W->getBody();
  if (const auto *D = dyn_cast<DoStmt>(Loop))
    return D->getBody();
  return nullptr;
}

void innermostTries(const Stmt *S, const CXXTryStmt *Try,
                    llvm::DenseMap<const Stmt *, const CXXTryStmt *> &M) {
  if (!S || isa<LambdaExpr>(S))
    return;
  if (Try)
    M[S] = Try;
  if (const auto *T = dyn_cast<CXXTryStmt>(S)) {
    innermostTries(T->getTryBlock(), T, M);
    for (unsigned I = 0; I < T->getNumHandlers(); ++I)
      innermostTries(T->getHandler(I), Try, M);
    return;
  }
  for (const Stmt *C : S->children())
    innermostTries(C, Try, M);
}

bool containsStmt(const Stmt *Outer, const Stmt *Inner) {
  if (!Outer)
    return false;
  if (Outer == Inner)
    return true;
  for (const Stmt *C : Outer->children())
    if (containsStmt(C, Inner))
      return true;
  return false;
}

bool isAutomaticObject(const ValueDecl *D) {
  const auto *VD = dyn_cast_or_null<VarDecl>(D);
  return VD && VD->hasLocalStorage() && !VD->getType()->isReferenceType() &&
         !VD->isInitCapture();
}

bool hasName(const FunctionDecl *FD, std::initializer_list<StringRef> Names) {
  if (!FD || !FD->getIdentifier())
    return false;
  return llvm::is_contained(Names, FD->getName());
}

bool inSystemHeader(const Decl *D) {
  return D && inSystemHeader(D->getASTContext().getSourceManager(),
                             D->getLocation());
}

const LambdaExpr *lambdaOf(const Expr *Callable) {
  if (!Callable)
    return nullptr;
  const Expr *E = stripWrappers(Callable);
  if (const auto *L = dyn_cast<LambdaExpr>(E))
    return L;
  if (const auto *DR = dyn_cast<DeclRefExpr>(E))
    if (const auto *VD = dyn_cast<VarDecl>(DR->getDecl()))
      if (VD->isLocalVarDecl() && VD->hasInit())
        return dyn_cast<LambdaExpr>(stripWrappers(VD->getInit()));
  return nullptr;
}

const FunctionDecl *calleeBody(const Expr *Callable) {
  if (!Callable)
    return nullptr;
  if (const LambdaExpr *L = lambdaOf(Callable))
    return L->getCallOperator();
  const Expr *E = stripWrappers(Callable);
  const ValueDecl *D = nullptr;
  if (const auto *DR = dyn_cast<DeclRefExpr>(E))
    D = DR->getDecl();
  else if (const auto *ME = dyn_cast<MemberExpr>(E))
    D = ME->getMemberDecl();
  if (const auto *FD = dyn_cast_or_null<FunctionDecl>(D)) {
    const FunctionDecl *Def = nullptr;
    return FD->hasBody(Def) ? Def : nullptr;
  }
  // A callable object: its operator().
  if (const CXXRecordDecl *RD = E->getType()->getAsCXXRecordDecl())
    if (RD->hasDefinition())
      for (const CXXMethodDecl *M : RD->getDefinition()->methods())
        if (M->getOverloadedOperator() == OO_Call) {
          const FunctionDecl *Def = nullptr;
          if (M->hasBody(Def))
            return Def;
        }
  return nullptr;
}

} // namespace tether
