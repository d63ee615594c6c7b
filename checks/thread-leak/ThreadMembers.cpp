// thread-leak (c), members: a thread member (`std::thread worker_;`,
// `std::vector<std::thread> workers_;`) that is started (a constructor
// initializer, an assignment of a new thread, `emplace_back(callable)`)
// and never used in any other way anywhere in the translation unit: no
// join, no detach, no joinable(), no move, no reference handed out. Every
// function that can name the member must be in sight: the class's own
// member functions, and its friends' code (analysis/MemberAccess).
#include "ThreadLeak.h"
#include "ASTHelpers.h"
#include "MemberAccess.h"

#include "clang/AST/DeclTemplate.h"
#include "clang/Basic/SourceManager.h"

using namespace clang;

namespace tether {
namespace threadleak {
namespace {

// Are the bodies of all the class's member functions (and those of its
// nested classes) in this translation unit? (Its friends are MemberAccess's
// question.)
bool allMethodsVisible(const CXXRecordDecl *RD, int Depth = 0) {
  if (!RD || !RD->hasDefinition() || Depth > 3)
    return false;
  RD = RD->getDefinition();
  for (const Decl *D : RD->decls()) {
    const FunctionDecl *F = nullptr;
    if (const auto *FT = dyn_cast<FunctionTemplateDecl>(D))
      F = FT->getTemplatedDecl();
    else
      F = dyn_cast<FunctionDecl>(D);
    if (F) {
      if (F->isImplicit() || F->isDeleted() || F->isDefaulted() ||
          F->isPureVirtual())
        continue;
      if (!F->hasBody())
        return false;
      continue;
    }
    if (const auto *Nested = dyn_cast<CXXRecordDecl>(D))
      if (!Nested->isInjectedClassName() && Nested->hasDefinition() &&
          !allMethodsVisible(Nested, Depth + 1))
        return false;
  }
  return true;
}

} // namespace

void ThreadLeakCheck::checkMember(FunctionContext &Ctx, const Spawn &S) {
  const FieldDecl *F = S.Member;
  if (!F || !ReportedFields.insert(F).second)
    return;
  bool Container = false;
  const CXXRecordDecl *Owner = nullptr;
  const SpawnModel *M =
      handleModelOfType(F->getType(), Ctx.tu().Models, Container, &Owner);
  if (!M || !endsProgram(M->Destruction))
    return;
  const auto *RD = dyn_cast_or_null<CXXRecordDecl>(F->getParent());
  if (!RD || RD->isDependentContext() || RD->isLambda() ||
      isa<ClassTemplateSpecializationDecl>(RD) || RD->isUnion())
    return;
  const SourceManager &SM = Ctx.ast().getSourceManager();
  bool MainFile = SM.isInMainFile(SM.getExpansionLoc(RD->getLocation()));
  // Others may reach a member that is not private (derived classes,
  // code in other TUs), unless the class lives in this file alone.
  if (!MainFile && F->getAccess() != AS_private)
    return;
  if (!allMethodsVisible(RD))
    return;
  // Code outside the class's own member functions that can join, detach
  // or move the member: its friends. Their uses are counted below like the
  // class's own (ClassUses walks the whole TU); a friend whose code is not
  // in sight, or a dependent access in a friend template that may name the
  // member, leaves the member's fate unknown.
  std::optional<llvm::ArrayRef<FriendUse>> Friends =
      Ctx.tu().memberAccess().friendUses(F);
  if (!Friends || llvm::any_of(*Friends, [&](const FriendUse &FU) {
        return FU.Dependent || inSystemHeader(SM, FU.E->getBeginLoc());
      }))
    return;
  const FieldUses *U = classUses(Ctx).uses(F);
  // The ctor-initializer start is not a member expression.
  if (U && U->Other > 0)
    return;
  std::string Cls = RD->getIdentifier() ? RD->getNameAsString() : "the class";
  HandleWords W = wordsFor(*M);
  std::string Msg =
      Container
          ? "member '" + F->getNameAsString() + "' holds " + M->Type +
                " objects that are never " + W.Ended +
                "; destroying a '" + Cls + "' while they run " +
                W.Destroyed
          : M->Type + " member '" + F->getNameAsString() + "'" +
                (Owner ? " (owned through " + modelName(Owner) + ")"
                       : std::string()) +
                " is never " + W.Ended + "; destroying a '" + Cls +
                "' while the thread runs " + W.Destroyed;
  // The join belongs in the class's destructor when it has one: the
  // finding is there, with the member as a note.
  const FunctionDecl *DtorDef = nullptr;
  if (const CXXDestructorDecl *Dtor = RD->getDestructor();
      Dtor && Dtor->isUserProvided())
    Dtor->hasBody(DtorDef);
  DiagBuilder D = Ctx.report(
      info(), DtorDef ? DtorDef->getLocation() : F->getLocation(), Msg,
      S.Anchor);
  if (DtorDef)
    D.note(F->getLocation(), "member declared here");
  D.note(S.Site.Expr->getBeginLoc(), "thread started here");
}

} // namespace threadleak
} // namespace tether
