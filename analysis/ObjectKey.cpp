#include "ObjectKey.h"
#include "ModelMatch.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"

using namespace clang;

namespace tether {

std::string ObjectKey::describe() const {
  std::string S;
  if (ThisBased)
    S = "this->";
  if (Ret)
    S = "<returned>";
  const auto *VD = dyn_cast_or_null<VarDecl>(Root);
  if (VD && VD->isImplicit() && VD->getInit()) {
    // The hidden range variable of `for (auto v : *make())`: name the call.
    const Expr *E = stripWrappers(VD->getInit());
    while (true) {
      if (const auto *UO = dyn_cast<UnaryOperator>(E))
        E = stripWrappers(UO->getSubExpr());
      else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
               Op && Op->getNumArgs() == 1)
        E = stripWrappers(Op->getArg(0));
      else
        break;
    }
    const auto *Call = dyn_cast<CallExpr>(E);
    const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
    S += Callee ? Callee->getNameAsString() + "()" : std::string("<range>");
  } else if (Root) {
    S += Root->getNameAsString();
  }
  for (const FieldDecl *F : Path)
    S += "." + F->getNameAsString();
  return S;
}

static const ValueDecl *declOfLHS(const Expr *E) {
  E = E->IgnoreParenImpCasts();
  if (const auto *DR = dyn_cast<DeclRefExpr>(E))
    return DR->getDecl();
  if (const auto *ME = dyn_cast<MemberExpr>(E))
    if (isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()))
      return ME->getMemberDecl();
  return nullptr;
}

const ValueDecl *assignedDecl(const Expr *E) {
  if (const auto *BO = dyn_cast<BinaryOperator>(E))
    return BO->isAssignmentOp() ? declOfLHS(BO->getLHS()) : nullptr;
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E))
    return Op->getOperator() == OO_Equal && Op->getNumArgs() == 2
               ? declOfLHS(Op->getArg(0))
               : nullptr;
  // `p.reset(…)`, `p.swap(q)`, `opt.emplace(…)`: a non-const method of a
  // handle (a smart pointer or an optional: a type that designates another
  // record) called on the handle itself, not through `->`, may make it
  // designate another object — unless it is an accessor: a fixed
  // signature with no parameter and a result (`opt.value()` hands out the
  // object it holds; `opt.emplace()` is a member template whose arity the
  // call decides, not an accessor).
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E))
    if (const auto *MD = MC->getMethodDecl())
      if (!MD->isConst() && !MD->isOverloadedOperator() &&
          !isa<CXXConversionDecl>(MD) &&
          (MD->getReturnType()->isVoidType() || MD->getNumParams() > 0 ||
           MD->getPrimaryTemplate())) {
        const Expr *Obj = MC->getImplicitObjectArgument();
        QualType T = Obj ? Obj->getType() : QualType();
        if (!T.isNull() && !T->isPointerType()) {
          const CXXRecordDecl *RD =
              T.getNonReferenceType().getCanonicalType()->getAsCXXRecordDecl();
          if (RD && designatedRecord(T) != RD)
            return declOfLHS(Obj);
        }
      }
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    return UO->isIncrementDecrementOp() ? declOfLHS(UO->getSubExpr())
                                        : nullptr;
  return nullptr;
}

namespace {
struct AssignmentFinder : RecursiveASTVisitor<AssignmentFinder> {
  llvm::DenseSet<const ValueDecl *> &Out;
  explicit AssignmentFinder(llvm::DenseSet<const ValueDecl *> &Out)
      : Out(Out) {}
  bool VisitExpr(Expr *E) {
    if (const ValueDecl *D = assignedDecl(E))
      Out.insert(D);
    return true;
  }
};
} // namespace

ObjectResolver::ObjectResolver(const Stmt *Body) {
  if (Body)
    AssignmentFinder(Reassigned).TraverseStmt(const_cast<Stmt *>(Body));
}

std::optional<ObjectKey> ObjectResolver::keyOf(const Expr *E) const {
  return keyOf(E, 0);
}

static bool isAliasType(QualType T) {
  if (T->isReferenceType() || T->isPointerType())
    return true;
  return designatedRecord(T) != T.getCanonicalType()->getAsCXXRecordDecl();
}

std::optional<ObjectKey> ObjectResolver::keyOf(const Expr *E,
                                               int Depth) const {
  if (!E || Depth > 8)
    return std::nullopt;
  E = stripWrappers(E);
  if (const auto *DR = dyn_cast<DeclRefExpr>(E)) {
    const auto *VD = dyn_cast<VarDecl>(DR->getDecl());
    if (!VD)
      return std::nullopt;
    // Aliases: `auto &r = ch;`, `auto p = sp;`, `[c = ch]`.
    if (VD->hasInit() && !isa<ParmVarDecl>(VD) && !Reassigned.contains(VD) &&
        (VD->isInitCapture() || isAliasType(VD->getType())))
      if (auto K = keyOf(VD->getInit(), Depth + 1))
        return K;
    ObjectKey K;
    K.Root = VD;
    return K;
  }
  if (const auto *ME = dyn_cast<MemberExpr>(E)) {
    const auto *FD = dyn_cast<FieldDecl>(ME->getMemberDecl());
    if (!FD)
      return std::nullopt;
    const Expr *Base = ME->getBase()->IgnoreParenImpCasts();
    if (isa<CXXThisExpr>(Base)) {
      ObjectKey K;
      K.Root = FD;
      K.ThisBased = true;
      return K;
    }
    auto K = keyOf(Base, Depth + 1);
    if (!K)
      return std::nullopt;
    K->Path.push_back(FD);
    return K;
  }
  return std::nullopt;
}

namespace {
// Is VD's address taken in S: `&v`, `std::ref(v)`, v bound to a non-const
// reference parameter?
bool addressTaken(const Stmt *S, const VarDecl *VD) {
  if (!S)
    return false;
  auto Is = [&](const Expr *E) {
    const auto *DR = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
    return DR && DR->getDecl() == VD;
  };
  auto NonConstRef = [](QualType T) {
    return T->isLValueReferenceType() &&
           !T->getPointeeType().isConstQualified();
  };
  if (const auto *UO = dyn_cast<UnaryOperator>(S);
      UO && UO->getOpcode() == UO_AddrOf && Is(UO->getSubExpr()))
    return true;
  if (const auto *C = dyn_cast<CallExpr>(S)) {
    const FunctionDecl *F = C->getDirectCallee();
    unsigned Shift = isa<CXXOperatorCallExpr>(C) && F &&
                             isa<CXXMethodDecl>(F)
                         ? 1
                         : 0;
    for (unsigned I = Shift; I < C->getNumArgs(); ++I)
      if (Is(C->getArg(I))) {
        if (!F || I - Shift >= F->getNumParams())
          return true; // through a pointer, or variadic
        if (NonConstRef(F->getParamDecl(I - Shift)->getType()) ||
            returnsReferenceWrapper(F))
          return true;
      }
  }
  if (const auto *CE = dyn_cast<CXXConstructExpr>(S)) {
    const CXXConstructorDecl *F = CE->getConstructor();
    for (unsigned I = 0; I < CE->getNumArgs(); ++I)
      if (Is(CE->getArg(I)) && F && I < F->getNumParams() &&
          NonConstRef(F->getParamDecl(I)->getType()))
        return true;
  }
  for (const Stmt *C : S->children())
    if (addressTaken(C, VD))
      return true;
  return false;
}
} // namespace

bool isLocalObject(const ObjectKey &K) {
  if (K.ThisBased || K.Ret)
    return false;
  const auto *VD = dyn_cast_or_null<VarDecl>(K.Root);
  if (!VD || isa<ParmVarDecl>(VD) || !VD->isLocalVarDecl() ||
      VD->isStaticLocal() || isAliasType(VD->getType()))
    return false;
  const auto *Fn = dyn_cast_or_null<FunctionDecl>(
      VD->getParentFunctionOrMethod());
  return Fn && !addressTaken(Fn->getBody(), VD);
}

bool mayBeSameObject(const ObjectKey &A, const ObjectKey &B) {
  auto Last = [](const ObjectKey &K) -> const ValueDecl * {
    return K.Path.empty() ? K.Root : K.Path.back();
  };
  if (canonicalDecl(Last(A)) != canonicalDecl(Last(B)))
    return false;
  if (canonicalDecl(A.Root) == canonicalDecl(B.Root))
    return true;
  return !isLocalObject(A) && !isLocalObject(B);
}

const Decl *canonicalDecl(const ValueDecl *D) {
  if (!D)
    return nullptr;
  if (const auto *FD = dyn_cast<FieldDecl>(D)) {
    if (const auto *RD = dyn_cast<CXXRecordDecl>(FD->getParent()))
      if (const CXXRecordDecl *P = RD->getTemplateInstantiationPattern())
        for (const FieldDecl *F : P->fields())
          if (F->getDeclName() == FD->getDeclName())
            return F;
    return FD;
  }
  return D->getCanonicalDecl();
}

static const FieldDecl *fieldNamed(QualType T, llvm::StringRef Name) {
  const CXXRecordDecl *RD = designatedRecord(T);
  if (!RD || !RD->hasDefinition())
    return nullptr;
  for (const FieldDecl *F : RD->getDefinition()->fields())
    if (F->getName() == Name)
      return F;
  return nullptr;
}

// A global variable by qualified name ("ns::g_mu", "Cls::s_flag").
static const VarDecl *globalNamed(ASTContext &AST, llvm::StringRef Qualified) {
  llvm::SmallVector<llvm::StringRef, 4> Parts;
  Qualified.split(Parts, "::");
  const DeclContext *DC = AST.getTranslationUnitDecl();
  for (size_t I = 0; I < Parts.size(); ++I) {
    if (!DC)
      return nullptr;
    const NamedDecl *Found = nullptr;
    for (const NamedDecl *ND : DC->lookup(&AST.Idents.get(Parts[I])))
      if (I + 1 == Parts.size() ? isa<VarDecl>(ND)
                                : isa<NamespaceDecl, CXXRecordDecl>(ND)) {
        Found = ND;
        break;
      }
    if (!Found)
      return nullptr;
    if (I + 1 == Parts.size())
      return cast<VarDecl>(Found);
    DC = dyn_cast<DeclContext>(Found);
  }
  return nullptr;
}

std::optional<SummaryKey> summaryKeyOf(const ObjectKey &K,
                                       const FunctionDecl *FD,
                                       SummaryRoots Allowed) {
  SummaryKey S;
  if (K.Ret) {
    if (!Allowed.Ret)
      return std::nullopt;
    S.Root = SummaryKey::Ret;
  } else if (K.ThisBased) {
    S.Root = SummaryKey::This;
    S.Path.push_back(K.Root->getNameAsString());
  } else if (const auto *P = dyn_cast_or_null<ParmVarDecl>(K.Root);
             P && P->getDeclContext() == FD) {
    S.Root = SummaryKey::Param;
    S.Index = int(P->getFunctionScopeIndex());
  } else if (const auto *V = dyn_cast_or_null<VarDecl>(K.Root);
             Allowed.Globals && V && V->hasGlobalStorage() &&
             !V->isStaticLocal()) {
    S.Root = SummaryKey::Global;
    S.Name = V->getQualifiedNameAsString();
  } else {
    return std::nullopt; // locals and captures are not followed across TUs
  }
  for (const FieldDecl *F : K.Path)
    S.Path.push_back(F->getNameAsString());
  return S;
}

std::optional<ObjectKey> resolveSummaryKey(const SummaryKey &K,
                                           const FunctionDecl *FD,
                                           ASTContext &AST) {
  ObjectKey O;
  QualType Cur;
  size_t First = 0;
  switch (K.Root) {
  case SummaryKey::Param:
    if (K.Index >= int(FD->getNumParams()))
      return std::nullopt;
    O.Root = FD->getParamDecl(K.Index);
    Cur = FD->getParamDecl(K.Index)->getType();
    break;
  case SummaryKey::This: {
    const auto *MD = dyn_cast<CXXMethodDecl>(FD);
    if (!MD || K.Path.empty())
      return std::nullopt;
    const FieldDecl *F =
        fieldNamed(QualType(MD->getParent()->getTypeForDecl(), 0), K.Path[0]);
    if (!F)
      return std::nullopt;
    O.Root = F;
    O.ThisBased = true;
    Cur = F->getType();
    First = 1;
    break;
  }
  case SummaryKey::Global: {
    const VarDecl *G = globalNamed(AST, K.Name);
    if (!G)
      return std::nullopt;
    O.Root = G;
    Cur = G->getType();
    break;
  }
  case SummaryKey::Ret:
    O.Ret = true;
    Cur = FD->getReturnType();
    break;
  }
  for (size_t I = First; I < K.Path.size(); ++I) {
    const FieldDecl *F = fieldNamed(Cur, K.Path[I]);
    if (!F)
      return std::nullopt;
    O.Path.push_back(F);
    Cur = F->getType();
  }
  return O;
}

} // namespace tether
