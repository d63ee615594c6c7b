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

#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/SmallVector.h"

namespace tether {

// The statements and expressions whose reads decide whether Wait (a call in
// Body, the body of the waiting function or lambda) is reached. Empty when
// Wait is not in Body.
llvm::SmallVector<const clang::Stmt *, 8>
waitDecision(const clang::Stmt *Body, const clang::Expr *Wait);

// Is the time point a timed wait (`cv.wait_until(lk, deadline, pred)`) is
// given fixed for the whole wait: a parameter, a member, or a local set
// outside every loop around the wait? Then a lost notify costs the rest of
// the deadline (the caller's `join(max_wait)` gives up), not one period of
// a loop that re-tests (`wait_for(lk, 100ms)`, `wait_until(lk, now() + p)`).
bool fixedDeadline(const clang::Stmt *Body, const clang::Expr *Wait,
                   const clang::Expr *Deadline);

} // namespace tether
