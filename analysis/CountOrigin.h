// CountOrigin: where a number comes from — the bound of a loop that starts
// threads, a container whose elements a loop visits, the step of a loop.
//
//   - Constant: an integer constant expression, `hardware_concurrency()`
//     (also through `std::min`/`std::max` and locals), `std::array` and C
//     arrays, and a member whose default (its in-class initializer) is one of
//     those and not zero: an options field
//     `uint32_t thread_count = std::thread::hardware_concurrency();` or
//     `int io_threads = 4;` is a configured size, not input;
//   - Input: a parameter, a member without such a default, the result of a
//     call, a container's size, and locals initialised from one of them;
//   - Unknown: anything else.
//
// Shared by the loop checks (thread-unbounded-spawn) so that "is this count
// bounded?" has one answer.
#pragma once

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"

#include <string>

namespace tether {

enum class CountOrigin { Constant, Input, Unknown };

// Classifies E. For Input, Desc names where it comes from ("parameter
// 'requests'", "the size of member 'items'", "the result of 'count'").
CountOrigin countOrigin(const clang::Expr *E, clang::ASTContext &AST,
                        std::string &Desc);

// A loop that walks its input in chunks whose size scales with that input:
// `for (i = 0; i < v.size(); i += chunk)` with `chunk` computed from
// `v.size()` (`(v.size() + n - 1) / n`). It runs a number of times set by
// the divisor, not by the input's size. A constant or unrelated step (64
// items per iteration) still grows with the input and is not a chunking.
bool chunksItsInput(const clang::ForStmt *Loop);

} // namespace tether
