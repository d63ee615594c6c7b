// LockState: which mutexes are certainly held at each point of a function.
//
// A forward must-analysis over the CFG (built with implicit destructors, so
// a guard's release at the end of its scope, on `break`/`continue`/`return`
// and at the end of every loop iteration is an element of the graph). The
// state is the set of mutexes locked by hand (`mu.lock()`) and the RAII
// guards alive in the function with the mutexes they own:
//
//   - a guard type (LockModel::Guards) constructed with mutexes owns them,
//     unless a `defer_lock` tag (owns nothing), a `try_to_lock` tag or a
//     timeout (owns them only on the branch where `owns_lock()`/`if (lk)`
//     is true) is passed; `adopt_lock` takes over a lock already held;
//   - `lk.lock()` (LockModel::Lock) re-acquires, any other non-const call on
//     the guard (`unlock`, `release`, `swap`, …) releases as far as the
//     analysis knows; a move (`std::move(lk)` into a constructor, an
//     assignment or a call) transfers ownership;
//   - `mu.lock()`/`mu.lock_shared()` and their unlocks on the mutex itself,
//     `mu.try_lock()` on the branch where it succeeded;
//   - at a join of paths a mutex is held only if it is held on every path.
//
// Mutexes are identified by ObjectKey (`mu_`, `this->mu_`, `p->mu`, `*pm`).
// A guard whose mutex expression has no key (`lock_guard g(mutexFor(x))`)
// still counts as holding "some" mutex.
#pragma once

#include "ApiModel.h"
#include "ModelMatch.h"
#include "ObjectKey.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>
#include <vector>

namespace tether {
class FunctionAnalyses;

struct HeldLock {
  std::optional<ObjectKey> Mutex;         // none: the mutex has no key
  const clang::Expr *Site = nullptr;      // lock() call or guard construction
  const clang::VarDecl *Guard = nullptr;  // owning guard; null: manual lock
  bool operator==(const HeldLock &O) const {
    return Mutex == O.Mutex && Site == O.Site && Guard == O.Guard;
  }
  std::string describe() const; // "this->mu_", or "the mutex" when unknown
};

class LockState {
public:
  // Shared: the function's analyses, whose CFG (CFGKind::AllDtors) is used
  // instead of building one.
  LockState(const clang::FunctionDecl *FD, clang::ASTContext &AST,
            const ModelSet &Models, FunctionAnalyses *Shared = nullptr);
  ~LockState();

  // False when the function touches no mutex or guard: every query below
  // then answers "nothing held".
  bool usesLocks() const { return UsesLocks; }
  // Locks held on every path that reaches S (a statement the CFG lists as
  // an element, e.g. any call); empty if none or S is unreachable.
  llvm::ArrayRef<HeldLock> heldAt(const clang::Stmt *S) const;
  // False for statements the analysis did not reach: dead code, and catch
  // handlers (the CFG has no exception edges), where nothing is known.
  bool reached(const clang::Stmt *S) const {
    return !UsesLocks || Held.count(S) != 0;
  }
  // Every acquisition in the function (guard construction that owns, lock()
  // on a guard or a mutex, a successful try_lock), in no particular order.
  llvm::ArrayRef<HeldLock> acquisitions() const { return Acquisitions; }
  // The mutexes a guard variable was constructed with.
  llvm::ArrayRef<ObjectKey> guardMutexes(const clang::VarDecl *Guard) const;
  const ObjectResolver &resolver() const { return *R; }

  // Removes from Held the locks an operation releases while it blocks.
  void removeReleased(const BlockingOp &Op,
                      llvm::SmallVectorImpl<HeldLock> &Held) const;

  struct Impl;

private:
  bool UsesLocks = false;
  std::unique_ptr<ObjectResolver> R;
  llvm::DenseMap<const clang::Stmt *, llvm::SmallVector<HeldLock, 2>> Held;
  std::vector<HeldLock> Acquisitions;
  llvm::DenseMap<const clang::VarDecl *, llvm::SmallVector<ObjectKey, 1>>
      GuardMutexes;
};

} // namespace tether
