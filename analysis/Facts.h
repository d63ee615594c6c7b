// Per-function facts: what calling a function does, as its callers need to
// know it, computed once per function and shared by every check that asks.
//
//   - whether it blocks: on some path (any blocking operation of the models,
//     sleeps and I/O included), on some path waiting for another thread
//     (joins, condition variables, futures, channel receives, an event
//     loop's run()), or on every path waiting for another thread;
//   - the locks it may acquire (guards constructed with a mutex, lock(),
//     lock_shared(), try_lock() on a mutex);
//   - the stop requests it may make (request_stop() on a stop source or a
//     jthread, a model's interrupt());
//   - which of its parameters a wait releases while it blocks (a user
//     condition variable's `wait(Lockable &)`);
//   - the flags and counters it may write (ObjectWrites.h): a bool set
//     (`stop_ = true`), or any write of an atomic (`done_.store(true)`,
//     `f.test_and_set()`, `pending_.fetch_sub(1)`, `++count_`,
//     `std::atomic_fetch_sub_explicit(&n, 1, …)`);
//   - whether it never returns normally: no path of its CFG reaches the
//     exit other than by an exception. What cuts a path: a `[[noreturn]]`
//     callee (`std::exit`, `std::abort`, `std::quick_exit`,
//     `std::terminate`, which the C and C++ libraries declare so), a loop
//     with no way out (`for (;;)`, `while (true)` with no break, return or
//     goto leaving it), a model operation with `never_returns: true`, and a
//     call of a function whose own fact says it never returns (in this TU,
//     or in another one through the link phase). An exception may still
//     leave such a function: a call inside a `try` block that may throw
//     leads to the handlers, and a handler that falls through or returns
//     makes the function return; an exception that leaves the function
//     altogether is not a return (the caller's own handlers decide, as for
//     any call). A coroutine returns to its caller at its first suspension
//     and never has the fact.
//
// Objects are named as the function sees them: a member of `this`, a
// parameter (or a member of one), a global, or (in a lambda) a variable it
// captured. What a function's callees do is mapped to the caller's names
// through the call (arguments to parameters, the object to `this`), so a
// fact of `stop()` reads "writes this->done_" and one of `helper(p)` called
// as `helper(*this)` reads "acquires this->mu_". Facts follow callees with a
// body in this TU; callees defined in another TU are read from the link
// phase's view (Summaries.h), and recursion is cut.
#pragma once

#include "Finding.h"
#include "ObjectKey.h"
#include "Summaries.h"

#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <deque>
#include <map>
#include <set>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tether {

struct TUContext;

// Where an operation a fact stems from is: in this TU (Op, in function In),
// or in another one (Where, in the function named Function).
struct FactSite {
  const clang::Expr *Op = nullptr;
  const clang::FunctionDecl *In = nullptr;
  SourcePoint Where;
  std::string Function;
  // In another TU. A loop (NeverReturnsFact) in this TU has no Op but In.
  bool external() const { return Op == nullptr && In == nullptr; }
  // The qualified name of the function holding the operation.
  std::string functionName() const;
};

struct BlockFact {
  std::string What; // "thread join", "channel receive", "sleep", …
  FactSite At;
  // The wait releases the locks passed as these parameters while it blocks
  // (a user condition variable's `wait(Lockable &m)` that hands `m` to
  // condition_variable_any::wait, or unlocks it by hand around a semaphore
  // acquire): at a call, the caller's mutexes given as those arguments are
  // not held across it.
  std::vector<unsigned> ReleasesParams;
};

// Why a function never returns normally: the call that does not return
// ("call of 'serve', which never returns", "call of 'abort'") or the loop
// with no way out ("endless loop"). At.Op is the call; for a loop At.Op is
// null and At.Where (with At.In) says where the loop is.
struct NeverReturnsFact {
  std::string What;
  FactSite At;
};

struct ObjectFact {
  // In the function's own terms (see the file comment). Null when the
  // object has no name the analysis can follow (`lock_guard g(lockFor(k))`).
  std::optional<ObjectKey> Key;
  FactSite At;
};

// A call into a function defined in another TU, for the link phase.
struct FactCallRec {
  std::string Callee; // USR
  std::vector<std::optional<ObjectKey>> Args;
  std::optional<ObjectKey> Object; // this-based keys name members of `this`
  bool ObjectIsThis = false;
  bool Unconditional = false; // made on every path through the function
  // The function cannot return normally without this call returning: the
  // call is made on every path (not under a condition, in a loop, a
  // switch, a catch handler or a `try` block, and no return or goto comes
  // before it). If the callee never returns, neither does the function.
  bool Cuts = false;
};

struct FunctionFacts {
  std::optional<BlockFact> MayBlock;
  std::optional<BlockFact> MayWait;
  // Blocks on every path (not under a condition, in a loop, a switch, a
  // `?:`, `&&`/`||` or a catch handler) waiting for another thread. A wait
  // that releases locks the caller passed in says which (ReleasesParams); one
  // that releases nothing of the caller's is preferred when there are both.
  std::optional<BlockFact> MustWait;
  std::vector<ObjectFact> Acquires;
  std::vector<ObjectFact> RequestsStop;
  std::vector<ObjectFact> WritesFlag;
  // Never returns normally (see the file comment).
  std::optional<NeverReturnsFact> NeverReturns;
  // Calls code whose facts are not known (a user function with no body here
  // and none from the link phase): the lists above may be incomplete.
  bool Opaque = false;
  std::vector<FactCallRec> ExternalCalls;
  // The functions defined in other TUs (USRs, interned by the FactsCache)
  // whose linked facts went into these, through every callee; NeedsAll when
  // a recursion was cut and the list may be short.
  llvm::SmallPtrSet<const std::string *, 4> Needs;
  bool NeedsAll = false;

  // The first fact of a list whose key is the same object as K (compared
  // through canonical declarations), or null.
  static const ObjectFact *find(llvm::ArrayRef<ObjectFact> Facts,
                                const ObjectKey &K);
  // True when some fact of the list has no key (it may be any object).
  static bool hasUnnamed(llvm::ArrayRef<ObjectFact> Facts);
};

// Same object: roots and paths compared through canonicalDecl().
bool sameObject(const ObjectKey &A, const ObjectKey &B);

// The facts of one TU's functions, computed on demand and cached.
class FactsCache {
public:
  explicit FactsCache(TUContext &TU);
  ~FactsCache();
  // FD with a body: computed from it (and its callees). Without: from the
  // link phase's view; with neither, empty and Opaque.
  const FunctionFacts &get(const clang::FunctionDecl *FD);

  // The facts of the callee of a call, in the terms of the function the
  // call is in (R resolves that function's expressions). Null when the call
  // has no user callee (a library call, a call through a pointer).
  std::optional<FunctionFacts> atCall(const clang::Expr *Call,
                                      const ObjectResolver &R);

  // False when the call never returns normally: a `[[noreturn]]` callee,
  // a model operation with `never_returns`, or a user function whose facts
  // say so (not through a virtual call another override may answer).
  bool returns(const clang::CallExpr *Call);

  // Adds the facts of the given functions (defined in this TU) to the
  // export for the link phase, with the functions of other TUs whose facts
  // the analyses and checks asked for (stopAsking() first).
  void exportTo(llvm::ArrayRef<const clang::FunctionDecl *> Functions,
                TUSummaries &Out);

  // The first pass is over: the questions asked from now on (the export's
  // own) are not the checks'. Only a TU whose checks asked about a function
  // the link phase then knows something of needs a second pass.
  void stopAsking() { Asking = false; }

private:
  const FunctionFacts &compute(const clang::FunctionDecl *FD);
  const FunctionFacts &fromLinked(const clang::FunctionDecl *FD);
  // F was asked for: by the function being computed (its Needs grow), or
  // by an analysis or check (the TU's asked list grows).
  void need(const FunctionFacts &F);
  TUContext &TU;
  std::set<std::string> USRs; // interned Needs
  std::vector<FunctionFacts *> Computing;
  llvm::SmallPtrSet<const std::string *, 16> Asked;
  bool AskedAll = false;
  bool Asking = true;
  std::map<const clang::FunctionDecl *, std::unique_ptr<FunctionFacts>> Cache;
  llvm::DenseSet<const clang::FunctionDecl *> InProgress;
};

// The user function whose facts describe a call's callee: its definition in
// this TU, or its canonical declaration when it is defined elsewhere. Null
// for library functions (std, system headers), builtins and calls through
// pointers.
const clang::FunctionDecl *factsCallee(const clang::Expr *Call);

} // namespace tether
