// ThreadCompletion: does a wait after a thread is detached wait until the
// thread is done with what it shares?
//
// A detached thread that uses a function's locals (or `this`) is safe when
// the function, after the detach, waits for a condition the thread makes
// true only once it no longer touches them: a counter it decrements as its
// last action (`{ lock_guard g(m); --running; }`), a flag it sets last. A
// wait on a condition the thread makes true *before* its last use is not:
// `--pending; done_cv.notify_one();` lets the waiter wake, return and
// destroy `done_cv` while the thread still calls notify_one() on it.
//
// The waiter side: after the detach, the objects read by the predicate of a
// blocking wait (`cv.wait(lk, [&] { return pending == 0; })`) or by the exit
// of a loop (`while (running_ > 0) …`, `for (;;) { …; if (!running_) break; }`).
// The thread side: the last statement at the top level of the thread's body
// that writes one of those objects (assignment, increment/decrement,
// compound assignment, a modifying member call such as store, fetch_sub or a
// model's arrive), and the first use of anything the thread shares after it
// (a variable of the detaching function, or a member of `this`). Uses
// inside the scope of a lock guard taken before the write, and the release
// of that lock, come before a waiter that reads the condition under the
// lock can go on: they are not later uses.
#pragma once

#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/Basic/SourceLocation.h"

namespace tether {

class ModelSet;

enum class CompletionWait {
  None,          // no wait after the detach reads what the thread writes
  AfterLastUse,  // the waited condition is the thread's last use
  BeforeLastUse, // the thread uses shared objects after the signal
};

struct Completion {
  CompletionWait Kind = CompletionWait::None;
  const clang::Stmt *Wait = nullptr;   // the wait or poll loop
  const clang::Expr *Signal = nullptr; // the thread's write it waits for
  // The first use after the signal: of a variable of the detaching
  // function, and of a member of `this` (null if none).
  const clang::Expr *LaterLocalUse = nullptr;
  const clang::Expr *LaterThisUse = nullptr;
};

// Detaching: the function that detaches; After: the end of the detach (only
// waits after it count); Body: the function the thread runs (a lambda's
// call operator or a member function).
Completion waitForCompletion(const clang::FunctionDecl *Detaching,
                             clang::SourceLocation After,
                             const clang::FunctionDecl *Body,
                             const ModelSet &Models);

} // namespace tether
