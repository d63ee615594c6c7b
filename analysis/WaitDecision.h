// What decides whether a thread waits. A condition variable's waiter tests
// some state, then sleeps; a write of that state can be lost between the
// test and the sleep. For a wait with a predicate the predicate is the
// test. For a wait without one (`while (!stop_) cv.wait(lk);`) it is what
// chooses, in the waiting function, between reaching the wait and not:
//
//   - the conditions of the loops, `if`s, `switch`es, `?:` and `&&`/`||`
//     around the wait;
//   - the conditions of the tests that leave (return, break, continue,
//     throw, goto) written before the wait in the blocks around it — and,
//     inside a loop around the wait, after it too, since they decide
//     whether the loop comes back to the wait;
//   - what the function's own locals read there were given: their
//     initialisers and the values assigned to them in the function.
//
// A read elsewhere — after the loop that holds the wait, in the work done
// between two waits — does not decide whether to wait.
#pragma once

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/SmallVector.h"

namespace tether {

class ModelSet;

// How one of those decides: the wait is reached (the waiter goes on
// waiting) when it is true — a loop's condition, an `if` around the wait,
// the left of `&&` — when it is false — a test that leaves, an `else`, the
// left of `||`, a wait's predicate — or it is not that simple (a switch, a
// local's value).
enum class Reach { WhenTrue, WhenFalse, Either };

struct Decider {
  const clang::Stmt *S = nullptr;
  Reach When = Reach::Either;
  // Tested again before a woken waiter waits again: the condition and the
  // tests of the innermost loop around the wait (all of them when no loop
  // is around it), and what locals read there hold. A test outside that
  // loop decides whether a thread comes to the wait, not whether a thread
  // inside it stops waiting.
  bool Rewaits = true;
};

// The statements and expressions whose reads decide whether Wait (a call in
// Body, the body of the waiting function or lambda) is reached. Empty when
// Wait is not in Body.
llvm::SmallVector<Decider, 8> waitDecision(const clang::Stmt *Body,
                                           const clang::Expr *Wait);

// The predicate of a wait (`cv.wait(lk, [&] { return stop_ || !q_.empty(); })`)
// as a decider: the expression it returns, the waiter goes on waiting while
// it is false. Its body when it is not one return statement (Either).
Decider predicateDecision(const clang::Stmt *PredicateBody);

// Can storing Value into the object that Read reads end a wait that D
// decides? False only when it certainly cannot: Value is a constant, Read is
// a boolean or integer (or an atomic one, loaded) that reaches D's
// expression through `!`, comparisons with constants, `&&` and `||` only,
// and under Value it pushes D towards going on waiting
// (`while (!exit_ && …) cv.wait(lk);` then `exit_ = false;`). A waiter that
// keeps waiting is not woken by a write, lost or not.
bool mayRelease(const Decider &D, const clang::Expr *Read,
                const clang::Expr *Value, const clang::ASTContext &AST,
                const ModelSet &Models);

// Is the time point a timed wait (`cv.wait_until(lk, deadline, pred)`) is
// given fixed for the whole wait: a parameter, a member, or a local set
// outside every loop around the wait? Then a lost notify costs the rest of
// the deadline (the caller's `join(max_wait)` gives up), not one period of
// a loop that re-tests (`wait_for(lk, 100ms)`, `wait_until(lk, now() + p)`).
bool fixedDeadline(const clang::Stmt *Body, const clang::Expr *Wait,
                   const clang::Expr *Deadline);

} // namespace tether
