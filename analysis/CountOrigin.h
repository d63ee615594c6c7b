// CountOrigin: where a number comes from — the bound of a loop that starts
// threads, a container whose elements a loop visits, the step of a loop.
//
//   - Constant: an integer constant expression, `hardware_concurrency()`
//     (also through `std::min`/`std::max` and locals), `std::array` and C
//     arrays, and a member whose default (its in-class initializer) is one of
//     those and not zero: an options field
//     `uint32_t thread_count = std::thread::hardware_concurrency();` or
//     `int io_threads = 4;` is a configured size, not input;
//   - Input: a member without such a default, the result of a call, data
//     read from a stream, socket or queue, and locals initialised from one
//     of them;
//   - Unknown: anything else.
//
// A parameter is answered by its callers in this translation unit: the
// argument every direct call passes, classified in the caller (up to a few
// callers up). Every caller passing a constant or configured size (a
// `std::array`, a braced list, a container filled by a constant-bound loop,
// `hardware_concurrency()`) makes it Constant; one caller passing input (a
// request list it read, a container grown by a read loop) makes it Input. A
// parameter with no visible caller — none in this TU, a virtual function,
// a function whose address is taken — is Input: its size is the caller's.
//
// A local container is answered by how its function fills it: the loops
// around each insert (push_back, emplace_back, … per the models), resize()
// and assignments. A container handed by reference to code that may fill
// it is Unknown.
//
// A member container is answered the same way, by every function of the TU
// that fills that member (of any object of its class), and by constructor
// initialisers:
//   - an insert outside any loop adds one element per call of its function:
//     Input when the element is handed in by a parameter (`void
//     submit(Request r) { pending_.push_back(std::move(r)); }`, the count
//     grows with the callers' calls), Constant in a constructor, Unknown
//     otherwise;
//   - a member no code of the TU fills is Input, as a parameter without
//     visible callers is: its elements come from code we do not see.
//
// A loop that leaves once a counter advanced with each insert reaches a
// bound (`if (n == limit) break;`) inserts at most that bound: the smaller
// of the loop's origin and the bound's.
//
// Shared by the loop checks (thread-unbounded-spawn) so that "is this count
// bounded?" has one answer. TUContext::countOrigins() holds the TU's answers.
#pragma once

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"

#include <string>
#include <vector>

namespace tether {

struct TUContext;
class ModelSet;

enum class CountOrigin { Constant, Input, Unknown };

// Where a loop's trip count comes from.
struct LoopOrigin {
  CountOrigin Kind = CountOrigin::Unknown;
  // For Input: "a range over parameter 'requests' of 'handle_all', …",
  // "a count from member 'replicas'", "one iteration per item read in the
  // loop condition".
  std::string What;
  // A plain number (parameter, member, call result), not a container's
  // size, a range or items read one by one.
  bool IsCount = false;
  // One iteration per item read (accept, stream, queue, channel).
  bool ReadLoop = false;
};

class CountOrigins {
public:
  explicit CountOrigins(TUContext &TU);
  ~CountOrigins();

  // Classifies E, a number or a container (its size). For Input, Desc
  // names where it comes from ("parameter 'requests' of 'handle_all',
  // whose size comes from its callers (none in this translation unit)",
  // "the size of member 'items'", "the result of 'count'").
  CountOrigin of(const clang::Expr *E, std::string &Desc);

  // Where the number of iterations of a loop (for, range-for, while, do)
  // comes from: its range, its relational condition (`i < n`,
  // `it != v.end()`; a constant side bounds it, `i < n && i < 8` too), or
  // the items it reads in its condition or body. Chunked loops
  // (chunksItsInput) are Constant: as many iterations as chunks.
  LoopOrigin loop(const clang::Stmt *Loop);

  // Does the call read one item of input: accept(), a socket or stream
  // read, a queue pop, a channel receive (per the models)?
  bool readsInput(const clang::CallExpr *C) const;

private:
  struct Site {
    const clang::FunctionDecl *Caller = nullptr;
    std::vector<const clang::Expr *> Args; // in parameter order
  };
  struct CallersOf {
    std::vector<Site> Sites;
    bool Escapes = false; // referenced other than by a direct call
  };
  struct Answer {
    CountOrigin Kind;
    std::string Desc;
  };

  CountOrigin classify(const clang::Expr *E, std::string &Desc, int Depth);
  CountOrigin parameter(const clang::ParmVarDecl *P, std::string &Desc,
                        int Depth);
  // How the code of the TU fills V, a local or a member container.
  CountOrigin filled(const clang::ValueDecl *V, std::string &Desc,
                     int Depth);
  LoopOrigin loopAt(const clang::Stmt *Loop, int Depth);
  CountOrigin relational(const clang::Stmt *Loop, const clang::Expr *Cond,
                         std::string &Desc, int Depth);
  bool configuredDefault(const clang::FieldDecl *F, int Depth);
  const CallersOf &callers(const clang::FunctionDecl *FD);
  void indexCalls();

  TUContext &TU;
  bool Indexed = false;
  llvm::DenseMap<const clang::FunctionDecl *, CallersOf> Calls;
  // For each member (canonical field), the functions that name it.
  llvm::DenseMap<const clang::Decl *,
                 llvm::SmallVector<const clang::FunctionDecl *, 4>>
      FieldUsers;
  llvm::DenseMap<const clang::Decl *, Answer> Memo;
  llvm::DenseSet<const clang::Decl *> InProgress;
  // Parameters followed to their callers on the way to the current answer.
  int CallerDepth = 0;
};

// A loop that walks its input in chunks whose size scales with that input:
// `for (i = 0; i < v.size(); i += chunk)` with `chunk` computed from
// `v.size()` (`(v.size() + n - 1) / n`). It runs a number of times set by
// the divisor, not by the input's size. A constant or unrelated step (64
// items per iteration) still grows with the input and is not a chunking.
bool chunksItsInput(const clang::ForStmt *Loop, const ModelSet &Models);

// Threads started by `for (w = 0; w < n; ++w)` whose body takes every n-th
// item from w on (`for (i = w; i < v.size(); i += n)`): the data is split
// into n shares, one per thread — chunking by a count of workers, not a
// thread per item. Loop is the spawn loop, Body the thread's code.
bool partitionsByCount(const clang::ForStmt *Loop, const clang::Stmt *Body);

// `<`, `>`, `<=`, `>=`, built in or overloaded: a loop bound's comparison.
bool isRelationalComparison(const clang::Expr *E);

} // namespace tether
