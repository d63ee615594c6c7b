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

class ModelSet;

struct ObjectWrite {
  enum Kind {
    Set,   // `x = v`, `store`, `exchange`, `test_and_set`, `clear`
    Update // read-modify-write: `x += v`, `++x`, `fetch_sub`, `compare_exchange`
  };
  const clang::Expr *Op = nullptr;     // the whole write
  const clang::Expr *Object = nullptr; // what it writes (`&x` looked through)
  Kind How = Set;
  bool Atomic = false; // an operation of an atomic type (the models' `atomics`)
  // For a Set, the value stored when the write names it (`x = v`,
  // `x.store(v)`, `x.exchange(v)`, `atomic_store(&x, v)`); null otherwise.
  const clang::Expr *Value = nullptr;
  const char *verb() const { return How == Set ? "set" : "updated"; }
};

// If E writes an object: built-in assignment and compound assignment, `++`
// and `--`; on an atomic type its assignment and increment operators, the
// methods the models' `atomics` name as setting it (std: store, exchange,
// test_and_set, clear) or updating it (fetch_*, compare_exchange*), and the
// free functions named by a prefix and such a method (std::atomic_fetch_sub,
// atomic_store_explicit, atomic_flag_clear: they take `&x`). A class's own
// operator= on any type is a write of its left-hand side too.
std::optional<ObjectWrite> objectWriteOf(const clang::Expr *E,
                                         const ModelSet &Models);

// An atomic type of the models (std::atomic<T> for any T, std::atomic_ref<T>,
// std::atomic_flag, boost::atomic<T>), through references and pointers.
bool isAtomicType(clang::QualType T, const ModelSet &Models);

// An atomic of bool, or an atomic type boolean by itself (std::atomic_flag),
// through references and pointers.
bool isAtomicBoolType(clang::QualType T, const ModelSet &Models);

} // namespace tether
