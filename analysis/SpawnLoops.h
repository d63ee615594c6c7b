// SpawnLoops: threads and tasks started inside loops, and whether they may
// outlive the iteration that started them. Shared by the checks about spawns
// in loops (thread-loop-capture-by-ref, thread-unbounded-spawn).
//
// For every spawn (ModelMatch's matchSpawn) in a function body, outside of
// nested lambdas, it records the loops around it (innermost first) and where
// the handle goes: detached, kept in a variable, moved into a container,
// discarded. Relative to one of those loops it then answers "may the thread
// still run when this iteration ends?" — a handle joined (or awaited) in the
// same iteration, or destroyed there by a destructor that joins (jthread, the
// future of std::async), does not.
#pragma once

#include "ModelMatch.h"
#include "ObjectKey.h"

#include "clang/AST/ParentMap.h"
#include "clang/AST/Stmt.h"

#include <memory>
#include <optional>
#include <vector>

namespace tether {

class FunctionAnalyses;

enum class HandleFate {
  Unknown,     // handed to code we do not see: no answer
  Detached,    // .detach() (on the temporary or the variable)
  Joined,      // joined/awaited right away (`std::thread(f).join()`,
               // a discarded std::async future)
  Stored,      // kept in a variable or member (Storage)
  InContainer, // moved or emplaced into a container (Storage)
  Discarded,   // a pool task whose result is dropped: runs later
  NoHandle,    // pthread_create: the handle is an out-parameter
};

struct SpawnInLoop {
  SpawnSite Site;
  // Enclosing loops of the spawn, innermost first (ForStmt, CXXForRangeStmt,
  // WhileStmt, DoStmt of the analysed function).
  llvm::SmallVector<const clang::Stmt *, 2> Loops;
  HandleFate Fate = HandleFate::Unknown;
  // The variable, member or container that keeps the handle.
  std::optional<ObjectKey> Storage;
  const clang::ValueDecl *StorageDecl = nullptr; // local/member declaration
  const clang::Expr *FateSite = nullptr; // the detach, push_back, assignment
  bool IsPoolTask = false;               // a pool submit method
  bool DestructorJoins = false; // the handle's destructor joins/blocks
  // The handle is assigned into an existing element (`ts[i] = thread(…)`):
  // the container does not grow, its size bounds the threads.
  bool IntoSlot = false;
};

class SpawnLoops {
public:
  explicit SpawnLoops(FunctionAnalyses &Ctx);
  ~SpawnLoops();
  const std::vector<SpawnInLoop> &spawns() const { return Spawns; }

  // May the spawned thread still run when an iteration of Loop (one of
  // S.Loops) ends? Unknown fates answer false (we do not report what we
  // cannot see). Sets Why to the statement that makes it outlive (the
  // detach, the push into an outer container) when it does.
  bool outlivesIteration(const SpawnInLoop &S, const clang::Stmt *Loop,
                         const clang::Expr **Why = nullptr) const;

  // Does the body of Loop contain a join or wait of S's handle (or of any
  // element of its container) after the spawn, conditional or not?
  bool joinedSomewhereIn(const SpawnInLoop &S, const clang::Stmt *Loop) const;

  // Is S's handle (or its container) joined after Loop, in this function?
  bool joinedAfter(const SpawnInLoop &S, const clang::Stmt *Loop) const;

  // Is D declared inside Loop (its init statement, loop variable, condition
  // variable or body), outside lambdas?
  bool declaredIn(const clang::ValueDecl *D, const clang::Stmt *Loop) const;

  // The body of a loop statement.
  static const clang::Stmt *loopBody(const clang::Stmt *Loop);

  const clang::ParentMap &parents() const { return *PM; }
  const ObjectResolver &resolver() const { return *Resolver; }

private:
  void collect(const clang::Stmt *S,
               llvm::SmallVectorImpl<const clang::Stmt *> &Loops);
  void resolveFate(SpawnInLoop &S);
  void followVariable(SpawnInLoop &S, const clang::VarDecl *V);
  // Join/wait calls in Loop's body after Site on Storage; Unconditional
  // requires one that runs on every path through the iteration.
  bool joinedIn(const SpawnInLoop &S, const clang::Stmt *Loop,
                bool Unconditional) const;
  bool joinsStorage(const SpawnInLoop &S, const clang::CallExpr *C,
                    const clang::Stmt *Scope,
                    const clang::Stmt *&Allowed) const;
  bool passedAwayIn(const SpawnInLoop &S, const clang::Stmt *Loop) const;
  bool unconditionalIn(const clang::Stmt *S, const clang::Stmt *Body,
                       const clang::Stmt *Allowed) const;

  FunctionAnalyses &Ctx;
  const clang::Stmt *Body;
  std::unique_ptr<clang::ParentMap> PM;
  std::unique_ptr<ObjectResolver> Resolver;
  std::vector<SpawnInLoop> Spawns;
  // Calls in the body (outside lambdas), in source order.
  std::vector<const clang::CallExpr *> Calls;
};

} // namespace tether
