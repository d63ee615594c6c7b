#include "CountOrigin.h"
#include "ASTHelpers.h"
#include "ModelMatch.h"

#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"

using namespace clang;

namespace tether {
namespace {

bool calleeNamed(const CallExpr *C, std::initializer_list<StringRef> Names) {
  return hasName(C ? C->getDirectCallee() : nullptr, Names);
}

bool isFixedSizeType(QualType T) {
  T = T.getNonReferenceType();
  if (T->isConstantArrayType())
    return true;
  if (const CXXRecordDecl *RD = T->getAsCXXRecordDecl())
    return modelName(RD) == "std::array";
  return false;
}

CountOrigin classify(const Expr *E, ASTContext &AST, std::string &Desc,
                     int Depth);

// A member's default, when it is a configured size: a non-zero constant or
// the hardware's concurrency. A default of zero is a count that starts
// empty and grows with what happens later.
bool configuredDefault(const FieldDecl *F, ASTContext &AST) {
  const Expr *Init = F->getInClassInitializer();
  if (!Init)
    return false;
  std::string Ignored;
  if (classify(Init, AST, Ignored, 2) != CountOrigin::Constant)
    return false;
  Expr::EvalResult R;
  const Expr *I = Init->IgnoreParenImpCasts();
  if (I->isValueDependent() || !I->EvaluateAsInt(R, AST))
    return true; // hardware_concurrency(): not a constant, but a bound
  return !R.Val.getInt().isZero();
}

CountOrigin classify(const Expr *E, ASTContext &AST, std::string &Desc,
                     int Depth) {
  if (!E || Depth > 3)
    return CountOrigin::Unknown;
  E = E->IgnoreParenImpCasts();
  if (E->isValueDependent() || E->isTypeDependent())
    return CountOrigin::Unknown;
  if (E->isIntegerConstantExpr(AST))
    return CountOrigin::Constant;
  if (anyNode(E, [](const Stmt *S) {
        const auto *C = dyn_cast<CallExpr>(S);
        return C && calleeNamed(C, {"hardware_concurrency"});
      }))
    return CountOrigin::Constant;
  if (const auto *C = dyn_cast<CallExpr>(E)) {
    // std::min(n, 8): bounded by the constant.
    if (calleeNamed(C, {"min"}))
      for (const Expr *A : C->arguments()) {
        std::string Ignored;
        if (classify(A, AST, Ignored, Depth + 1) == CountOrigin::Constant)
          return CountOrigin::Constant;
      }
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(C))
      if (calleeNamed(MC, {"size", "length", "count"})) {
        std::string Inner;
        CountOrigin B =
            classify(MC->getImplicitObjectArgument(), AST, Inner, Depth + 1);
        if (B == CountOrigin::Input)
          Desc = "the size of " + Inner;
        return B;
      }
    if (const FunctionDecl *FD = C->getDirectCallee();
        FD && FD->getIdentifier() && !FD->isConstexpr()) {
      Desc = "the result of '" + FD->getNameAsString() + "'";
      return CountOrigin::Input;
    }
    return CountOrigin::Unknown;
  }
  if (const auto *DR = dyn_cast<DeclRefExpr>(E)) {
    const ValueDecl *D = DR->getDecl();
    if (isFixedSizeType(D->getType()))
      return CountOrigin::Constant;
    if (isa<ParmVarDecl>(D)) {
      Desc = "parameter '" + D->getNameAsString() + "'";
      return CountOrigin::Input;
    }
    if (const auto *V = dyn_cast<VarDecl>(D)) {
      if (V->hasLocalStorage() && V->getInit()) {
        std::string Inner;
        CountOrigin B = classify(V->getInit(), AST, Inner, Depth + 1);
        if (B == CountOrigin::Input)
          Desc = "'" + V->getNameAsString() + "' (from " + Inner + ")";
        return B;
      }
    }
    return CountOrigin::Unknown;
  }
  if (const auto *ME = dyn_cast<MemberExpr>(E)) {
    if (const auto *F = dyn_cast<FieldDecl>(ME->getMemberDecl())) {
      if (isFixedSizeType(F->getType()) || configuredDefault(F, AST))
        return CountOrigin::Constant;
      Desc = "member '" + F->getNameAsString() + "'";
      return CountOrigin::Input;
    }
    return CountOrigin::Unknown;
  }
  if (const auto *BO = dyn_cast<BinaryOperator>(E)) {
    std::string L, R;
    CountOrigin A = classify(BO->getLHS(), AST, L, Depth + 1);
    CountOrigin B = classify(BO->getRHS(), AST, R, Depth + 1);
    if (A == CountOrigin::Input || B == CountOrigin::Input) {
      Desc = A == CountOrigin::Input ? L : R;
      return CountOrigin::Input;
    }
    if (A == CountOrigin::Constant && B == CountOrigin::Constant)
      return CountOrigin::Constant;
    return CountOrigin::Unknown;
  }
  return CountOrigin::Unknown;
}

// The objects whose size() an expression reads (through locals' initialisers
// one level deep).
void sizedObjects(const Expr *E, llvm::SmallVectorImpl<const Decl *> &Out,
                  int Depth) {
  if (!E || Depth > 2)
    return;
  anyNode(E, [&](const Stmt *S) {
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S))
      if (calleeNamed(MC, {"size", "length"}))
        if (const Expr *O = MC->getImplicitObjectArgument()) {
          O = O->IgnoreParenImpCasts();
          if (const auto *DR = dyn_cast<DeclRefExpr>(O))
            Out.push_back(DR->getDecl()->getCanonicalDecl());
          else if (const auto *ME = dyn_cast<MemberExpr>(O))
            Out.push_back(ME->getMemberDecl()->getCanonicalDecl());
        }
    if (const auto *DR = dyn_cast<DeclRefExpr>(S))
      if (const auto *V = dyn_cast<VarDecl>(DR->getDecl());
          V && V->hasLocalStorage() && V->getInit() && !isa<ParmVarDecl>(V))
        sizedObjects(V->getInit(), Out, Depth + 1);
    return false;
  });
}

} // namespace

CountOrigin countOrigin(const Expr *E, ASTContext &AST, std::string &Desc) {
  return classify(E, AST, Desc, 0);
}

bool chunksItsInput(const ForStmt *Loop) {
  if (!Loop || !Loop->getCond() || !Loop->getInc())
    return false;
  const Expr *Step = nullptr;
  const Expr *Inc = Loop->getInc()->IgnoreParenImpCasts();
  auto StepOf = [&](const Expr *X) -> const Expr * {
    X = X->IgnoreParenImpCasts();
    if (const auto *CA = dyn_cast<CompoundAssignOperator>(X);
        CA && CA->getOpcode() == BO_AddAssign)
      return CA->getRHS();
    return nullptr;
  };
  if (const auto *Comma = dyn_cast<BinaryOperator>(Inc);
      Comma && Comma->getOpcode() == BO_Comma) {
    Step = StepOf(Comma->getLHS());
    if (!Step)
      Step = StepOf(Comma->getRHS());
  } else {
    Step = StepOf(Inc);
  }
  if (!Step)
    return false;
  llvm::SmallVector<const Decl *, 2> InCond, InStep;
  sizedObjects(Loop->getCond(), InCond, 0);
  sizedObjects(Step, InStep, 0);
  for (const Decl *D : InStep)
    if (llvm::is_contained(InCond, D))
      return true;
  return false;
}

} // namespace tether
