// thread-leak: a spawned thread has no owner that waits for it. One check
// (one id, one registration), written as one file per shape; read them in
// this order:
//
//  ThreadLeakCheck.cpp  the check: its description, its option, and which
//                       shape each spawn of a function is asked about;
//  DetachedThreads.cpp  (a) `detach()` of a thread whose body holds
//                       references to locals or to `this` that may die
//                       before the thread does; (b) `detach()` of a thread
//                       whose body loops forever with no way out;
//  LocalHandles.cpp     (c) a local handle whose destructor terminates when
//                       joinable (std::thread) that some path from its start
//                       to the end of its scope does not join, detach or hand
//                       on (the path search is analysis/HandlePaths);
//  ThreadMembers.cpp    (c) a thread member that its class never joins;
//  AsyncFutures.cpp     (d) a std::async future with the default or deferred
//                       policy that nothing waits on;
//  ClassUses.cpp        what the translation unit says about classes: how
//                       their objects are made, how their thread members
//                       are used.
//
// See docs/checks/thread-leak.md.
#pragma once

#include "core/Check.h"
#include "ModelMatch.h"
#include "Spawns.h"
#include "StopPaths.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <map>
#include <memory>
#include <set>
#include <vector>

namespace tether {
namespace threadleak {

extern const char *const CheckId;

// How findings word a handle of model M: a std::thread is "joined or
// detached", a thread type that cannot be detached (QThread) is "waited
// for ('wait()')"; destroying it while the thread runs "calls
// std::terminate" or "aborts the program" (the model's on_destruction).
struct HandleWords {
  std::string Ended;      // "joined or detached" / "waited for ('wait()')"
  std::string Ending;     // "joining" / "waiting for"
  std::string Unended;    // "joined" / "waited for"
  std::string End;        // "join" / "wait"
  std::string Destroyed;  // "calls std::terminate" / "aborts the program"
};
inline HandleWords wordsFor(const SpawnModel &M) {
  HandleWords W{"joined or detached", "joining", "joined", "join",
                "calls std::terminate"};
  if (M.Detach.empty() && !M.Join.empty())
    W = {"waited for ('" + M.Join.front() + "()')", "waiting for",
         "waited for", "wait", W.Destroyed};
  if (M.Destruction == OnDestruction::AbortIfRunning)
    W.Destroyed = "aborts the program";
  return W;
}

// The handle type of a field: a spawn handle (std::thread), a container of
// them (std::vector<std::thread>), or a handle owned through a smart pointer
// (std::shared_ptr<std::thread>; Owner is set to the pointer's class).
const SpawnModel *handleModelOfType(clang::QualType T, const ModelSet &Models,
                                    bool &Container,
                                    const clang::CXXRecordDecl **Owner = nullptr);

// What the translation unit says about classes: how their objects are made
// (to know that `this` lives until exit) and how their thread members are
// used.
struct ClassObjects {
  unsigned StaticVars = 0, OtherObjects = 0;
  llvm::SmallPtrSet<const clang::Expr *, 2> StaticInits;
  llvm::SmallVector<const clang::CXXConstructExpr *, 4> Constructions;
};

struct FieldUses {
  unsigned Spawns = 0, Other = 0;
};

// A smart pointer: a class template designating its first argument
// through operator-> (ModelMatch's designatedRecord).
bool isSmartPointer(clang::QualType T);

class ClassUses : public clang::RecursiveASTVisitor<ClassUses> {
public:
  ClassUses(clang::ASTContext &AST, const ModelSet &Models);

  // `this` of a class whose objects all have static storage (a global or
  // a function-local static singleton) lives until exit.
  bool staticLifetime(const clang::CXXRecordDecl *RD) const;
  // How a thread member (or container of threads) is used in the TU.
  const FieldUses *uses(const clang::FieldDecl *FD) const;

  // The visitor.
  bool TraverseDecl(clang::Decl *D);
  bool VisitVarDecl(clang::VarDecl *VD);
  bool VisitFieldDecl(clang::FieldDecl *FD);
  bool VisitCXXConstructExpr(clang::CXXConstructExpr *CE);
  bool VisitCXXNewExpr(clang::CXXNewExpr *NE);
  bool VisitCallExpr(clang::CallExpr *CE);
  bool VisitDeclRefExpr(clang::DeclRefExpr *DR);
  bool VisitMemberExpr(clang::MemberExpr *ME);
  bool shouldVisitImplicitCode() const { return false; }
  // The statements being traversed, outermost first: a member's parents
  // are read off them, not off the ASTContext's parent map, which covers
  // every node of every header (180 MB in one RocksDB TU) and stays
  // until the TU is freed.
  bool dataTraverseStmtPre(clang::Stmt *S) {
    Ancestors.push_back(S);
    return true;
  }
  bool dataTraverseStmtPost(clang::Stmt *) {
    Ancestors.pop_back();
    return true;
  }

private:
  bool isSpawnTarget(const clang::MemberExpr *ME);
  bool isPointerTest(const clang::MemberExpr *ME);
  // The statement that directly contains E, E being traversed; null when
  // none does (E is a declaration's initializer, a function's body).
  const clang::Stmt *parentOf(const clang::Stmt *E) const;

  clang::ASTContext &AST;
  const ModelSet &Models;
  std::map<const clang::CXXRecordDecl *, ClassObjects> Classes;
  std::map<const clang::FieldDecl *, FieldUses> Fields;
  std::vector<const clang::Stmt *> Ancestors;
};

class ThreadLeakCheck : public Check {
public:
  const CheckInfo &info() const override;
  void checkFunction(FunctionContext &Ctx) override;

private:
  // Shared per translation unit, computed on first use.
  const StopPaths &stopPaths(FunctionContext &Ctx);
  ClassUses &classUses(FunctionContext &Ctx);
  // The spawns of another function of the TU (computed once).
  const Spawns &spawnsOf(FunctionContext &Ctx, const clang::FunctionDecl *Def);

  // (a), (b) DetachedThreads.cpp
  std::vector<const Spawn *> detachedSpawns(FunctionContext &Ctx,
                                            const HandleUse &U,
                                            const Spawns &Here);
  bool allowed(FunctionContext &Ctx, const Spawn &S,
               const clang::FunctionDecl *Body);
  void checkDetached(FunctionContext &Ctx,
                     const clang::CXXMemberCallExpr *Detach, const Spawn &S);

  // (c) LocalHandles.cpp
  void checkLocalPaths(FunctionContext &Ctx, const Spawn &S);

  // (c) ThreadMembers.cpp
  void checkMember(FunctionContext &Ctx, const Spawn &S);

  // (d) AsyncFutures.cpp
  void checkFuture(FunctionContext &Ctx, const Spawn &S);

  std::unique_ptr<ClassUses> Classes;
  std::map<const clang::FunctionDecl *, std::unique_ptr<Spawns>> OtherSpawns;
  std::unique_ptr<StopPaths> Stops;
  std::set<std::pair<const clang::Expr *, const clang::Expr *>> Reported;
  llvm::DenseSet<const clang::FieldDecl *> ReportedFields;
};

} // namespace threadleak
} // namespace tether
