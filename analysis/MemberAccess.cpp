#include "MemberAccess.h"

#include "clang/AST/DeclFriend.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/SaveAndRestore.h"

#include <map>

using namespace clang;

namespace tether {

struct MemberAccess::ClassFriends {
  bool InSight = true;
  // Per member of the class (or of a nested class), the friends' uses.
  std::map<const FieldDecl *, llvm::SmallVector<FriendUse, 2>> Uses;
};

namespace {

// Nested classes deeper than this are not followed: unsure.
constexpr int MaxDepth = 4;

// Walks the friends' code and records, for the members of the classes in
// Owners, the expressions that name them.
class FriendCode : public RecursiveASTVisitor<FriendCode> {
public:
  using Base = RecursiveASTVisitor<FriendCode>;

  explicit FriendCode(const llvm::SmallPtrSetImpl<const CXXRecordDecl *> &Owners)
      : Owners(Owners) {}

  bool InSight = true;
  std::map<const FieldDecl *, llvm::SmallVector<FriendUse, 2>> Resolved;
  llvm::StringMap<llvm::SmallVector<FriendUse, 2>> ByName;

  // A befriended declaration: a function, a function template or a class
  // template.
  void addFriend(const NamedDecl *D) {
    if (const auto *FT = dyn_cast<FunctionTemplateDecl>(D))
      addFunctionTemplate(FT);
    else if (const auto *F = dyn_cast<FunctionDecl>(D))
      addFunction(F);
    else if (const auto *CT = dyn_cast<ClassTemplateDecl>(D))
      addClassTemplate(CT);
    else
      InSight = false; // anything else: not understood
  }

  // A befriended type: `friend class Worker;`, `friend Impl<int>;`.
  void addFriendType(QualType T) {
    if (T.isNull() || T->isDependentType()) {
      InSight = false; // a template parameter: anyone
      return;
    }
    if (const CXXRecordDecl *C = T->getAsCXXRecordDecl())
      addClass(C, 0);
    // A friend that is not a class (`friend int;`) has no code.
  }

private:
  void addFunction(const FunctionDecl *F) {
    if (F->isDeleted())
      return;
    // A specialization of a function template: the whole template.
    if (const FunctionTemplateDecl *FT = F->getPrimaryTemplate()) {
      addFunctionTemplate(FT);
      return;
    }
    addBody(F);
  }

  void addFunctionTemplate(const FunctionTemplateDecl *FT) {
    if (!SeenTemplates.insert(FT->getCanonicalDecl()).second)
      return;
    addBody(FT->getTemplatedDecl());
    for (const FunctionDecl *S : FT->specializations())
      if (S->getTemplateSpecializationKind() == TSK_ExplicitSpecialization)
        addBody(S);
  }

  // The definition of F must be here; its body is walked.
  void addBody(const FunctionDecl *F) {
    if (F->isDeleted() || F->isDefaulted())
      return;
    const FunctionDecl *Def = nullptr;
    if (!F->hasBody(Def) || !Def) {
      InSight = false;
      return;
    }
    walk(const_cast<FunctionDecl *>(Def));
  }

  void addClassTemplate(const ClassTemplateDecl *CT) {
    if (!SeenTemplates.insert(CT->getCanonicalDecl()).second)
      return;
    addClass(CT->getTemplatedDecl(), 0);
    llvm::SmallVector<ClassTemplatePartialSpecializationDecl *, 4> Partial;
    const_cast<ClassTemplateDecl *>(CT)->getPartialSpecializations(Partial);
    for (const ClassTemplatePartialSpecializationDecl *P : Partial)
      addClass(P, 0);
    for (const ClassTemplateSpecializationDecl *S : CT->specializations())
      if (S->isExplicitSpecialization())
        addClass(S, 0);
  }

  // A friend class: its definition (inline bodies, default member
  // initializers, nested classes) and the out-of-line bodies of its member
  // functions.
  void addClass(const CXXRecordDecl *C, int Depth) {
    if (Depth > MaxDepth) {
      InSight = false;
      return;
    }
    // A specialization made from a template (`friend class Impl<int>;`):
    // its code is the template's.
    if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(C);
        Spec && !isa<ClassTemplatePartialSpecializationDecl>(Spec) &&
        !Spec->isExplicitSpecialization()) {
      addClassTemplate(Spec->getSpecializedTemplate());
      return;
    }
    const CXXRecordDecl *Def = C->getDefinition();
    if (!Def) {
      InSight = false;
      return;
    }
    if (!SeenClasses.insert(Def).second)
      return;
    walk(const_cast<CXXRecordDecl *>(Def));
    for (const Decl *D : Def->decls()) {
      const FunctionDecl *F = nullptr;
      if (const auto *FT = dyn_cast<FunctionTemplateDecl>(D))
        F = FT->getTemplatedDecl();
      else if (!isa<FriendDecl>(D))
        F = dyn_cast<FunctionDecl>(D);
      if (F) {
        // The compiler's code (implicit and defaulted members) names only
        // the friend's own members.
        if (F->isImplicit() || F->isDeleted() || F->isDefaulted())
          continue;
        const FunctionDecl *Body = nullptr;
        if (!F->hasBody(Body) || !Body) {
          if (!F->isPureVirtual())
            InSight = false; // defined in another translation unit
          continue;
        }
        if (Body->isOutOfLine())
          walk(const_cast<FunctionDecl *>(Body));
        continue;
      }
      if (const auto *Nested = dyn_cast<CXXRecordDecl>(D))
        if (!Nested->isInjectedClassName() && !Nested->isLambda())
          addClass(Nested, Depth + 1);
    }
  }

  void walk(Decl *D) {
    if (SeenRoots.insert(D).second)
      TraverseDecl(D);
  }

public:
  // The visitor.
  bool shouldVisitTemplateInstantiations() const { return false; }
  bool shouldVisitImplicitCode() const { return false; }

  bool TraverseDecl(Decl *D) {
    const auto *F = dyn_cast_or_null<FunctionDecl>(D);
    if (!F || !F->doesThisDeclarationHaveABody())
      return Base::TraverseDecl(D);
    llvm::SaveAndRestore<const FunctionDecl *> Save(Current, F);
    return Base::TraverseDecl(D);
  }
  bool VisitMemberExpr(MemberExpr *ME) {
    if (const auto *FD = dyn_cast<FieldDecl>(ME->getMemberDecl()))
      addResolved(FD, ME);
    return true;
  }
  bool VisitDeclRefExpr(DeclRefExpr *DR) {
    if (const auto *FD = dyn_cast<FieldDecl>(DR->getDecl()))
      addResolved(FD, DR);
    return true;
  }
  bool VisitCXXDependentScopeMemberExpr(CXXDependentScopeMemberExpr *E) {
    if (const IdentifierInfo *II = E->getMember().getAsIdentifierInfo())
      addDependent(II->getName(), E);
    return true;
  }
  bool VisitDependentScopeDeclRefExpr(DependentScopeDeclRefExpr *E) {
    if (const IdentifierInfo *II = E->getDeclName().getAsIdentifierInfo())
      addDependent(II->getName(), E);
    return true;
  }

private:
  void addResolved(const FieldDecl *FD, const Expr *E) {
    const auto *Parent = dyn_cast<CXXRecordDecl>(FD->getParent());
    if (Parent && Owners.contains(Parent) && SeenUses.insert(E).second)
      Resolved[FD].push_back({E, Current, false});
  }
  void addDependent(llvm::StringRef Name, const Expr *E) {
    if (SeenUses.insert(E).second)
      ByName[Name].push_back({E, Current, true});
  }

  const llvm::SmallPtrSetImpl<const CXXRecordDecl *> &Owners;
  const FunctionDecl *Current = nullptr;
  llvm::SmallPtrSet<const Decl *, 16> SeenRoots, SeenClasses, SeenTemplates;
  llvm::SmallPtrSet<const Expr *, 16> SeenUses;
};

// The class and its nested classes (whose friends count too), definitions
// only.
void collectOwners(const CXXRecordDecl *RD, int Depth,
                   llvm::SmallPtrSetImpl<const CXXRecordDecl *> &Out,
                   bool &Complete) {
  if (Depth > MaxDepth) {
    Complete = false;
    return;
  }
  if (!Out.insert(RD).second)
    return;
  for (const Decl *D : RD->decls())
    if (const auto *Nested = dyn_cast<CXXRecordDecl>(D))
      if (!Nested->isInjectedClassName() && !Nested->isLambda())
        if (const CXXRecordDecl *Def = Nested->getDefinition())
          collectOwners(Def, Depth + 1, Out, Complete);
}

} // namespace

MemberAccess::MemberAccess(ASTContext &AST) : AST(AST) {}
MemberAccess::~MemberAccess() = default;

const MemberAccess::ClassFriends &
MemberAccess::friendsOf(const CXXRecordDecl *RD) {
  std::unique_ptr<ClassFriends> &Slot = Classes[RD];
  if (Slot)
    return *Slot;
  Slot = std::make_unique<ClassFriends>();
  ClassFriends &Out = *Slot;
  llvm::SmallPtrSet<const CXXRecordDecl *, 4> Owners;
  bool Complete = true;
  collectOwners(RD, 0, Owners, Complete);
  FriendCode Code(Owners);
  Code.InSight = Complete;
  for (const CXXRecordDecl *Owner : Owners)
    for (const FriendDecl *F : Owner->friends()) {
      if (const TypeSourceInfo *TSI = F->getFriendType())
        Code.addFriendType(TSI->getType());
      else if (const NamedDecl *D = F->getFriendDecl())
        Code.addFriend(D);
      else
        Code.InSight = false;
    }
  Out.InSight = Code.InSight;
  if (!Out.InSight)
    return Out;
  Out.Uses = std::move(Code.Resolved);
  // A dependent access may name any member of that name.
  for (const CXXRecordDecl *Owner : Owners)
    for (const FieldDecl *FD : Owner->fields())
      if (const IdentifierInfo *II = FD->getIdentifier())
        if (auto It = Code.ByName.find(II->getName()); It != Code.ByName.end())
          Out.Uses[FD].append(It->second.begin(), It->second.end());
  const SourceManager &SM = AST.getSourceManager();
  for (auto &[FD, List] : Out.Uses)
    llvm::sort(List, [&](const FriendUse &A, const FriendUse &B) {
      return SM.isBeforeInTranslationUnit(A.E->getBeginLoc(),
                                          B.E->getBeginLoc());
    });
  return Out;
}

bool MemberAccess::friendsInSight(const CXXRecordDecl *RD) {
  if (!RD || !RD->hasDefinition())
    return false;
  return friendsOf(RD->getDefinition()).InSight;
}

std::optional<llvm::ArrayRef<FriendUse>>
MemberAccess::friendUses(const FieldDecl *FD) {
  const auto *RD =
      dyn_cast_or_null<CXXRecordDecl>(FD ? FD->getParent() : nullptr);
  // A member of an anonymous struct or union is one of the class around it.
  while (RD && RD->isAnonymousStructOrUnion())
    RD = dyn_cast<CXXRecordDecl>(RD->getParent());
  if (!RD || !RD->hasDefinition())
    return std::nullopt;
  const ClassFriends &C = friendsOf(RD->getDefinition());
  if (!C.InSight)
    return std::nullopt;
  auto It = C.Uses.find(FD);
  if (It == C.Uses.end())
    return llvm::ArrayRef<FriendUse>();
  return llvm::ArrayRef<FriendUse>(It->second);
}

} // namespace tether
