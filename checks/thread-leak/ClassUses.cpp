// What the translation unit says about classes: how their objects are made
// (all in static storage: `this` lives until exit) and how their thread
// members are used (started, and nothing else: never joined).
#include "ThreadLeak.h"
#include "ASTHelpers.h"

#include "clang/AST/DeclTemplate.h"

using namespace clang;

namespace tether {
namespace threadleak {

const SpawnModel *handleModelOfType(QualType T, const ModelSet &Models,
                                    bool &Container,
                                    const CXXRecordDecl **Owner) {
  Container = false;
  if (Owner)
    *Owner = nullptr;
  if (T.isNull() || T->isReferenceType() || T->isPointerType())
    return nullptr;
  const CXXRecordDecl *RD = T.getCanonicalType()->getAsCXXRecordDecl();
  if (!RD)
    return nullptr;
  // Owned through a smart pointer (a class template designating its first
  // argument through operator->): its last owner destroys the handle.
  if (const CXXRecordDecl *Pointee = designatedRecord(T);
      Pointee && Pointee != RD && isa<ClassTemplateSpecializationDecl>(RD)) {
    const SpawnModel *M = Models.spawnForType(modelName(Pointee));
    if (!M || M->Type.empty() || !M->Methods.empty())
      return nullptr;
    if (Owner)
      *Owner = RD;
    return M;
  }
  // The handle type itself, or a class deriving from a thread type that is
  // its own handle (`class Indexer : public QThread`).
  if (const SpawnModel *M = spawnModelOf(T, Models))
    return M->Type.empty() || !M->Methods.empty() ? nullptr : M;
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD)) {
    const TemplateArgumentList &Args = Spec->getTemplateArgs();
    if (Args.size() >= 1 && Args[0].getKind() == TemplateArgument::Type)
      if (const CXXRecordDecl *E =
              Args[0].getAsType().getCanonicalType()->getAsCXXRecordDecl())
        if (const SpawnModel *M = Models.spawnForType(modelName(E)))
          if (!M->Type.empty() && M->Methods.empty()) {
            Container = true;
            return M;
          }
  }
  return nullptr;
}

ClassUses::ClassUses(ASTContext &AST, const ModelSet &Models)
    : AST(AST), Models(Models) {
  TraverseDecl(AST.getTranslationUnitDecl());
}

// The standard library and other system headers say nothing about user
// classes' objects.
bool ClassUses::TraverseDecl(Decl *D) {
  if (D && !isa<TranslationUnitDecl>(D) && inSystemHeader(D))
    return true;
  return RecursiveASTVisitor::TraverseDecl(D);
}

bool ClassUses::VisitVarDecl(VarDecl *VD) {
  QualType T = VD->getType();
  if (T->isReferenceType() || T->isPointerType())
    return true;
  if (const CXXRecordDecl *RD = T.getCanonicalType()->getAsCXXRecordDecl()) {
    ClassObjects &F = Classes[RD->getCanonicalDecl()];
    if (VD->hasGlobalStorage()) {
      ++F.StaticVars;
      if (VD->getInit())
        F.StaticInits.insert(stripTemporaries(VD->getInit()));
    } else {
      ++F.OtherObjects;
    }
  }
  return true;
}
bool ClassUses::VisitFieldDecl(FieldDecl *FD) {
  if (const CXXRecordDecl *RD =
          FD->getType().getCanonicalType()->getAsCXXRecordDecl())
    ++Classes[RD->getCanonicalDecl()].OtherObjects;
  return true;
}
bool ClassUses::VisitCXXConstructExpr(CXXConstructExpr *CE) {
  if (CE->getConstructor())
    Classes[CE->getConstructor()->getParent()->getCanonicalDecl()]
        .Constructions.push_back(CE);
  return true;
}
bool ClassUses::VisitCXXNewExpr(CXXNewExpr *NE) {
  if (const CXXRecordDecl *RD =
          NE->getAllocatedType().getCanonicalType()->getAsCXXRecordDecl())
    ++Classes[RD->getCanonicalDecl()].OtherObjects;
  return true;
}
bool ClassUses::VisitCallExpr(CallExpr *CE) {
  // make_shared<T>(), make_unique<T>(), any factory the models' `factories`
  // convention names: objects made elsewhere.
  if (const FunctionDecl *FD = CE->getDirectCallee();
      followsConvention(FD, ModelSet::Convention::Factories, Models))
    if (const TemplateArgumentList *TA = FD->getTemplateSpecializationArgs())
      for (const TemplateArgument &A : TA->asArray())
        if (A.getKind() == TemplateArgument::Type)
          if (const CXXRecordDecl *RD =
                  A.getAsType().getCanonicalType()->getAsCXXRecordDecl())
            ++Classes[RD->getCanonicalDecl()].OtherObjects;
  return true;
}
bool ClassUses::VisitDeclRefExpr(DeclRefExpr *DR) {
  // `&Server::worker_`: used in ways we do not follow.
  if (const auto *FD = dyn_cast<FieldDecl>(DR->getDecl()))
    ++Fields[FD].Other;
  return true;
}
bool ClassUses::VisitMemberExpr(MemberExpr *ME) {
  const auto *FD = dyn_cast<FieldDecl>(ME->getMemberDecl());
  if (!FD)
    return true;
  bool Container = false;
  if (!handleModelOfType(FD->getType(), Models, Container))
    return true;
  if (isPointerTest(ME))
    return true; // `if (worker_)`: neither a start nor a join
  FieldUses &U = Fields[FD];
  if (isSpawnTarget(ME))
    ++U.Spawns;
  else
    ++U.Other;
  return true;
}

bool ClassUses::staticLifetime(const CXXRecordDecl *RD) const {
  if (!RD || !RD->hasDefinition())
    return false;
  RD = RD->getDefinition();
  auto It = Classes.find(RD->getCanonicalDecl());
  if (It == Classes.end())
    return false;
  const ClassObjects &F = It->second;
  if (F.StaticVars == 0 || F.OtherObjects != 0)
    return false;
  for (const CXXConstructExpr *CE : F.Constructions)
    if (!F.StaticInits.contains(CE))
      return false;
  // Derived classes construct their base part: those objects count.
  const SourceManager &SM = AST.getSourceManager();
  bool MainFile = SM.isInMainFile(SM.getExpansionLoc(RD->getLocation()));
  if (MainFile)
    return true;
  // A class from a header may have objects in other TUs: only when no
  // one else can construct it (a singleton).
  for (const CXXConstructorDecl *C : RD->ctors())
    if (!C->isDeleted() && C->getAccess() == AS_public)
      return false;
  return true;
}

const FieldUses *ClassUses::uses(const FieldDecl *FD) const {
  auto It = Fields.find(FD);
  return It == Fields.end() ? nullptr : &It->second;
}

const Stmt *ClassUses::parentOf(const Stmt *E) const {
  for (size_t I = Ancestors.size(); I-- > 1;)
    if (Ancestors[I] == E)
      return Ancestors[I - 1];
  return nullptr;
}

// Is the member the target of a spawn: assigned a new thread, or a
// container a thread is put into?
bool ClassUses::isSpawnTarget(const MemberExpr *ME) {
  const Expr *Cur = ME;
  for (int I = 0; I < 4; ++I) {
    const auto *P = dyn_cast_or_null<Expr>(parentOf(Cur));
    if (!P)
      return false;
    if (isa<ImplicitCastExpr, ParenExpr, MaterializeTemporaryExpr>(P)) {
      Cur = P;
      continue;
    }
    // `worker_ = std::thread(...)`
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(P))
      return Op->getOperator() == OO_Equal && Op->getNumArgs() == 2 &&
             stripTemporaries(Op->getArg(0)) == Cur &&
             matchSpawn(stripTemporaries(Op->getArg(1)), Models).has_value();
    // `workers_.emplace_back(f)`, `workers_.push_back(std::thread(f))`
    if (const auto *M = dyn_cast<MemberExpr>(P)) {
      const auto *MC = dyn_cast_or_null<CXXMemberCallExpr>(parentOf(M));
      if (!MC || MC->getCallee() != M)
        return false;
      if (matchSpawn(MC, Models))
        return true;
      // `worker_.reset(new std::thread(f))`: the smart pointer adopts it.
      if (isSmartPointer(MC->getImplicitObjectArgument()->getType()) &&
          MC->getNumArgs() == 1)
        if (const auto *NE =
                dyn_cast<CXXNewExpr>(stripTemporaries(MC->getArg(0))))
          return NE->getInitializer() &&
                 matchSpawn(stripTemporaries(NE->getInitializer()), Models);
      if (!isContainerInsert(MC))
        return false;
      for (const Expr *A : MC->arguments())
        if (!matchSpawn(stripTemporaries(A), Models))
          return false;
      return MC->getNumArgs() > 0;
    }
    return false;
  }
  return false;
}

bool isSmartPointer(QualType T) {
  const CXXRecordDecl *RD =
      T.getNonReferenceType().getCanonicalType()->getAsCXXRecordDecl();
  return RD && isa<ClassTemplateSpecializationDecl>(RD) &&
         designatedRecord(T) != RD;
}

// A test of an owning pointer member: `if (worker_)`, `!worker_`,
// `worker_ != nullptr`. It neither starts nor joins the thread.
bool ClassUses::isPointerTest(const MemberExpr *ME) {
  if (!isSmartPointer(ME->getType()))
    return false;
  const Expr *Cur = ME;
  for (int I = 0; I < 4; ++I) {
    const auto *P = dyn_cast_or_null<Expr>(parentOf(Cur));
    if (!P)
      return false;
    if (isa<ImplicitCastExpr, ParenExpr>(P)) {
      Cur = P;
      continue;
    }
    // `operator bool` through an implicit conversion.
    if (const auto *M = dyn_cast<MemberExpr>(P)) {
      const auto *MC = dyn_cast_or_null<CXXMemberCallExpr>(parentOf(M));
      return MC && isa_and_nonnull<CXXConversionDecl>(MC->getMethodDecl());
    }
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(P)) {
      if ((Op->getOperator() != OO_EqualEqual &&
           Op->getOperator() != OO_ExclaimEqual) ||
          Op->getNumArgs() != 2)
        return false;
      for (const Expr *A : Op->arguments())
        if (isa<CXXNullPtrLiteralExpr>(A->IgnoreParenImpCasts()))
          return true;
      return false;
    }
    return false;
  }
  return false;
}

} // namespace threadleak
} // namespace tether
