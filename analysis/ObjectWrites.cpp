#include "ObjectWrites.h"
#include "ModelMatch.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"

using namespace clang;

namespace tether {

bool isAtomicType(QualType T, const ModelSet &Models) {
  const CXXRecordDecl *RD = designatedRecord(T);
  return RD && Models.isAtomicType(modelName(RD));
}

bool isAtomicBoolType(QualType T, const ModelSet &Models) {
  const CXXRecordDecl *RD = designatedRecord(T);
  if (!RD)
    return false;
  std::string N = modelName(RD);
  if (Models.isAtomicFlagType(N))
    return true;
  if (!Models.isAtomicType(N))
    return false;
  const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD);
  if (!Spec || Spec->getTemplateArgs().size() < 1)
    return false;
  const TemplateArgument &A = Spec->getTemplateArgs()[0];
  return A.getKind() == TemplateArgument::Type &&
         A.getAsType()->isBooleanType();
}

namespace {

std::optional<ObjectWrite::Kind> kindOf(ModelSet::AtomicWrite W) {
  switch (W) {
  case ModelSet::AtomicWrite::Set:
    return ObjectWrite::Set;
  case ModelSet::AtomicWrite::Update:
    return ObjectWrite::Update;
  case ModelSet::AtomicWrite::None:
    break;
  }
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

} // namespace

std::optional<ObjectWrite> objectWriteOf(const Expr *E,
                                         const ModelSet &Models) {
  if (!E)
    return std::nullopt;
  if (const auto *BO = dyn_cast<BinaryOperator>(E)) {
    if (!BO->isAssignmentOp())
      return std::nullopt;
    if (BO->isCompoundAssignmentOp())
      return ObjectWrite{E, BO->getLHS(), ObjectWrite::Update, false};
    return ObjectWrite{E, BO->getLHS(), ObjectWrite::Set, false,
                       BO->getRHS()};
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
    bool Atomic = isAtomicType(Obj->IgnoreParenImpCasts()->getType(), Models);
    OverloadedOperatorKind K = Op->getOperator();
    if (K == OO_Equal && Op->getNumArgs() == 2)
      return ObjectWrite{E, Obj, ObjectWrite::Set, Atomic, Op->getArg(1)};
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
        !isAtomicType(Obj->IgnoreParenImpCasts()->getType(), Models))
      return std::nullopt;
    if (auto K = kindOf(Models.atomicMethod(MD->getName().str())))
      return ObjectWrite{E, Obj, *K, true,
                         *K == ObjectWrite::Set && MC->getNumArgs() >= 1
                             ? MC->getArg(0)
                             : nullptr};
    return std::nullopt;
  }
  if (const auto *C = dyn_cast<CallExpr>(E)) {
    const FunctionDecl *F = C->getDirectCallee();
    if (!F || !F->getIdentifier() || C->getNumArgs() < 1)
      return std::nullopt;
    if (auto K = kindOf(Models.atomicFunction(modelName(F))))
      return ObjectWrite{E, pointee(C->getArg(0)), *K, true,
                         *K == ObjectWrite::Set && C->getNumArgs() >= 2
                             ? C->getArg(1)
                             : nullptr};
    return std::nullopt;
  }
  return std::nullopt;
}

} // namespace tether
