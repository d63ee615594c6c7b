#include "ObjectWrites.h"
#include "ModelMatch.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"

using namespace clang;

namespace tether {

bool isAtomicType(QualType T) {
  const CXXRecordDecl *RD = designatedRecord(T);
  if (!RD)
    return false;
  std::string N = modelName(RD);
  return N == "std::atomic" || N == "std::atomic_ref" ||
         N == "std::atomic_flag";
}

bool isAtomicBoolType(QualType T) {
  const CXXRecordDecl *RD = designatedRecord(T);
  if (!RD)
    return false;
  std::string N = modelName(RD);
  if (N == "std::atomic_flag")
    return true;
  if (N != "std::atomic" && N != "std::atomic_ref")
    return false;
  const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD);
  if (!Spec || Spec->getTemplateArgs().size() < 1)
    return false;
  const TemplateArgument &A = Spec->getTemplateArgs()[0];
  return A.getKind() == TemplateArgument::Type &&
         A.getAsType()->isBooleanType();
}

namespace {

// The kind of write an atomic operation named Name is, if it is one.
std::optional<ObjectWrite::Kind> atomicOp(llvm::StringRef Name) {
  if (Name == "store" || Name == "exchange" || Name == "test_and_set" ||
      Name == "clear")
    return ObjectWrite::Set;
  if (Name.starts_with("compare_exchange") || Name.starts_with("fetch_"))
    return ObjectWrite::Update;
  return std::nullopt;
}

// `&x` -> `x`: the free atomic functions take the object's address.
const Expr *pointee(const Expr *E) {
  E = E->IgnoreParenImpCasts();
  if (const auto *UO = dyn_cast<UnaryOperator>(E);
      UO && UO->getOpcode() == UO_AddrOf)
    return UO->getSubExpr()->IgnoreParenImpCasts();
  return E;
}

bool isStdFunction(const FunctionDecl *F) {
  if (!F || !F->getIdentifier())
    return false;
  const DeclContext *DC = F->getDeclContext()->getRedeclContext();
  while (DC && isa<NamespaceDecl>(DC) &&
         cast<NamespaceDecl>(DC)->isInlineNamespace())
    DC = DC->getParent()->getRedeclContext();
  return DC && DC->isStdNamespace();
}

} // namespace

std::optional<ObjectWrite> objectWriteOf(const Expr *E) {
  if (!E)
    return std::nullopt;
  if (const auto *BO = dyn_cast<BinaryOperator>(E)) {
    if (!BO->isAssignmentOp())
      return std::nullopt;
    return ObjectWrite{E, BO->getLHS(),
                       BO->isCompoundAssignmentOp() ? ObjectWrite::Update
                                                    : ObjectWrite::Set,
                       false};
  }
  if (const auto *UO = dyn_cast<UnaryOperator>(E)) {
    if (!UO->isIncrementDecrementOp())
      return std::nullopt;
    return ObjectWrite{E, UO->getSubExpr(), ObjectWrite::Update, false};
  }
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
    if (Op->getNumArgs() < 1)
      return std::nullopt;
    const Expr *Obj = Op->getArg(0);
    bool Atomic = isAtomicType(Obj->IgnoreParenImpCasts()->getType());
    OverloadedOperatorKind K = Op->getOperator();
    if (K == OO_Equal && Op->getNumArgs() == 2)
      return ObjectWrite{E, Obj, ObjectWrite::Set, Atomic};
    // Compound assignment and increments of user classes are arithmetic on
    // values (iterators, big numbers), not writes of shared state; those of
    // atomics are.
    if (!Atomic)
      return std::nullopt;
    if (Op->isAssignmentOp() || K == OO_PlusPlus || K == OO_MinusMinus)
      return ObjectWrite{E, Obj, ObjectWrite::Update, true};
    return std::nullopt;
  }
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E)) {
    const CXXMethodDecl *MD = MC->getMethodDecl();
    const Expr *Obj = MC->getImplicitObjectArgument();
    if (!MD || !MD->getIdentifier() || !Obj ||
        !isAtomicType(Obj->IgnoreParenImpCasts()->getType()))
      return std::nullopt;
    if (auto K = atomicOp(MD->getName()))
      return ObjectWrite{E, Obj, *K, true};
    return std::nullopt;
  }
  if (const auto *C = dyn_cast<CallExpr>(E)) {
    const FunctionDecl *F = C->getDirectCallee();
    if (!isStdFunction(F) || C->getNumArgs() < 1)
      return std::nullopt;
    llvm::StringRef N = F->getName();
    std::optional<ObjectWrite::Kind> K;
    // atomic_fetch_sub_explicit -> fetch_sub, atomic_flag_clear -> clear.
    if (N.consume_front("atomic_flag_") || N.consume_front("atomic_"))
      K = atomicOp(N.split("_explicit").first);
    if (!K)
      return std::nullopt;
    return ObjectWrite{E, pointee(C->getArg(0)), *K, true};
  }
  return std::nullopt;
}

} // namespace tether
