// Spawns: every thread or task a function starts, and what becomes of its
// handle. One record type for every check that asks (thread-leak, the
// checks about spawns in loops, the channel flow's thread starts).
//
// A spawn is whatever ModelMatch's matchSpawn recognises from the models:
// the construction of a handle type with a callable (std::thread,
// std::jthread, boost::thread, fibers), a spawn function (std::async,
// pthread_create), a container call that constructs the handle in place
// (`workers.emplace_back(f)`) or a pool submit method. Spawns are collected
// from the function body outside nested lambdas (a lambda's body is a
// function of its own) and, for a constructor, from its member initializers
// and the default member initializers it runs. A handle constructed by
// `new` is one spawn, followed only when a smart pointer adopts it
// (`shared_ptr<thread> p(new thread(f))`, `p.reset(new thread(f))`): then
// Storage is the pointer, whose last owner destroys the handle.
//
// The handle's fate follows the value: joined or detached right away, kept
// in a variable or member, moved into a container (directly or later, from
// a variable), returned, destroyed at once (and whether that destructor
// joins), a discarded pool task. Joins and detaches later in the function
// are matched to the handle through its variable, its member, or the
// elements of its container (`for (auto &t : v) t.detach();`, `v[i].join()`,
// `v.back().join()`).
#pragma once

#include "ModelMatch.h"
#include "ObjectKey.h"

#include "clang/AST/ParentMap.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/SmallVector.h"

#include <memory>
#include <optional>
#include <vector>

namespace tether {

struct TUContext;

enum class HandleFate {
  Unknown,     // handed to code we do not see: no answer
  Detached,    // .detach() on the temporary, the variable, the member or
               // the elements of the container that holds it
  Joined,      // joined/awaited right away (`std::thread(f).join()`)
  Stored,      // kept in a variable or member (Storage)
  InContainer, // moved or emplaced into a container (Storage)
  Returned,    // returned to the caller (`return t;`, `return thread(f);`)
  Destroyed,   // a temporary handle destroyed at once (DestructorJoins says
               // whether that waits: a discarded std::async future does,
               // a discarded std::thread terminates)
  Discarded,   // a pool task whose result is dropped: runs later
  NoHandle,    // pthread_create: the handle is an out-parameter
};
const char *handleFateName(HandleFate F);

// One spawn and its handle's fate.
struct Spawn {
  SpawnSite Site;
  // Enclosing loops of the spawn in the function, innermost first
  // (ForStmt, CXXForRangeStmt, WhileStmt, DoStmt).
  llvm::SmallVector<const clang::Stmt *, 2> Loops;
  HandleFate Fate = HandleFate::Unknown;
  // The variable, member or container that keeps the handle (also when it
  // was detached from there later).
  std::optional<ObjectKey> Storage;
  const clang::ValueDecl *StorageDecl = nullptr; // Storage's root
  // The statement that gives the handle its fate: the detach, the
  // push_back, the assignment, the return.
  const clang::Expr *FateSite = nullptr;
  // The statement that first stores the handle: the DeclStmt of its
  // variable, the assignment, the container call, the member initializer's
  // expression. Null when it is not stored.
  const clang::Stmt *Anchor = nullptr;
  // The first join (or wait) of the handle after the spawn in this
  // function, through its variable, member or container; null if none.
  const clang::Expr *JoinSite = nullptr;
  // Storage is a container of handles (also once its elements were
  // detached).
  bool InContainer = false;
  bool IsPoolTask = false;      // a pool submit method
  bool DestructorJoins = false; // the handle's destructor joins/blocks
  // The handle is assigned into an existing element (`ts[i] = thread(…)`):
  // the container does not grow, its size bounds the threads.
  bool IntoSlot = false;
  // Started by a constructor's member initializer (`worker_(f)`) or by a
  // default member initializer it runs (`std::thread worker_{f};`).
  bool InInitializer = false;

  // The local variable the handle was first stored in (declared with it,
  // or an automatic object assigned it), even when it moved on later: a
  // path that skips the move still leaves it there. Null if none.
  const clang::VarDecl *Local = nullptr;
  // The member of `this` the handle, or the container it went into, was
  // first stored in (`worker_ = thread(f)`, `workers_.emplace_back(f)`,
  // the member initializer `worker_(f)`). Null if none.
  const clang::FieldDecl *Member = nullptr;

  bool joined() const { return Fate == HandleFate::Joined || JoinSite; }
};

// A join or detach in the body, and the handle it acts on: the object
// itself (Element false) or each element of a container (Element true).
struct HandleUse {
  const clang::CallExpr *Call = nullptr;
  HandleOpKind Kind = HandleOpKind::Join;
  std::optional<ObjectKey> Target;
  bool Element = false;
};

// A container insert by the built-in models' conventions
// (isContainerInsert(Call, Models) in ModelMatch.h reads the user's too).
// For callers that do not have their ModelSet at hand yet.
bool isContainerInsert(const clang::CallExpr *Call);

class Spawns {
public:
  // The spawns of FD's body (and member initializers).
  Spawns(TUContext &TU, const clang::FunctionDecl *FD);
  ~Spawns();

  const std::vector<Spawn> &all() const { return List; }
  bool empty() const { return List.empty(); }
  // The record of a spawn expression (Site.Expr), or null.
  const Spawn *find(const clang::Expr *SpawnExpr) const;
  // Joins and detaches of spawn-model handles in the body, in source order.
  const std::vector<HandleUse> &handleUses() const { return Uses; }
  // Calls in the body (outside lambdas), in source order.
  const std::vector<const clang::CallExpr *> &calls() const { return Calls; }

  const clang::Stmt *body() const { return Body; }
  // Null when the function has no body.
  const clang::ParentMap *parents() const { return PM.get(); }
  const ObjectResolver *resolver() const { return Resolver.get(); }

  // The handle (or container of handles) a join/detach's object designates:
  // the variable or member, or, through a range-for loop variable, a
  // subscript or front()/back()/at(), the container (Element set).
  std::optional<ObjectKey> handleTarget(const clang::Expr *Object,
                                        bool &Element) const;

private:
  void collect(const clang::Stmt *S,
               llvm::SmallVectorImpl<const clang::Stmt *> &Loops);
  void resolveFate(Spawn &S);
  void followVariable(Spawn &S, const clang::VarDecl *V);
  void matchLaterUses(Spawn &S);

  TUContext &TU;
  const clang::FunctionDecl *FD;
  const clang::Stmt *Body = nullptr;
  std::unique_ptr<clang::ParentMap> PM;
  std::unique_ptr<ObjectResolver> Resolver;
  std::vector<Spawn> List;
  std::vector<HandleUse> Uses;
  std::vector<const clang::CallExpr *> Calls;
  std::vector<const clang::ReturnStmt *> Returns;
};

} // namespace tether
