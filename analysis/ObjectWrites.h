// Writes of an object another thread may test: the flags and counters that
// condition-variable predicates, loop conditions and stop checks read. One
// answer for every analysis and check that asks "does this expression change
// that variable?" (the per-function facts' "writes flag F", the lost
// wake-up check's writes).
#pragma once

#include "clang/AST/Expr.h"
#include "clang/AST/Type.h"

#include <optional>

namespace tether {

struct ObjectWrite {
  enum Kind {
    Set,   // `x = v`, `store`, `exchange`, `test_and_set`, `clear`
    Update // read-modify-write: `x += v`, `++x`, `fetch_sub`, `compare_exchange`
  };
  const clang::Expr *Op = nullptr;     // the whole write
  const clang::Expr *Object = nullptr; // what it writes (`&x` looked through)
  Kind How = Set;
  bool Atomic = false; // an operation of std::atomic / std::atomic_flag
  const char *verb() const { return How == Set ? "set" : "updated"; }
};

// If E writes an object: built-in assignment and compound assignment, `++`
// and `--`; on a std::atomic or std::atomic_flag its assignment and
// increment operators, the members store, exchange, compare_exchange_*,
// fetch_* (add, sub, and, or, xor, max, min), test_and_set and clear, and the
// free functions std::atomic_store*, atomic_exchange*,
// atomic_compare_exchange*, atomic_fetch_*, atomic_flag_test_and_set* and
// atomic_flag_clear* (which take `&x`). A class's own operator= on any type
// is a write of its left-hand side too.
std::optional<ObjectWrite> objectWriteOf(const clang::Expr *E);

// std::atomic<T> (any T), std::atomic_ref<T> or std::atomic_flag, through
// references and pointers.
bool isAtomicType(clang::QualType T);

// std::atomic<bool> or std::atomic_flag (through references and pointers).
bool isAtomicBoolType(clang::QualType T);

} // namespace tether
