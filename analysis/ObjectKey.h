// Object identity: which program object an expression designates, so that
// `ch.close()`, `p->close()` (p = &ch or a shared_ptr), `this->out_.close()`
// and a lambda's captured `out` line up. Address-of, dereference and smart
// pointer access are transparent: a key names "the object at the end of this
// variable or member path".
#pragma once

#include "Summaries.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace tether {

struct ObjectKey {
  // A VarDecl/ParmVarDecl, or the first FieldDecl of a `this->` path.
  const clang::ValueDecl *Root = nullptr;
  bool ThisBased = false;
  // In a summary: the object the function returns (a channel it created).
  // Callers map it to the variable the call initialises.
  bool Ret = false;
  llvm::SmallVector<const clang::FieldDecl *, 2> Path;

  std::string describe() const; // "out", "this->jobs_", "cfg.ch"
  bool rootedAt(const clang::ValueDecl *D) const { return Root == D; }
  bool operator==(const ObjectKey &O) const {
    return Root == O.Root && ThisBased == O.ThisBased && Ret == O.Ret &&
           Path == O.Path;
  }
  bool operator<(const ObjectKey &O) const {
    if (Root != O.Root)
      return Root < O.Root;
    if (ThisBased != O.ThisBased)
      return ThisBased < O.ThisBased;
    if (Ret != O.Ret)
      return Ret < O.Ret;
    return std::lexicographical_compare(Path.begin(), Path.end(),
                                        O.Path.begin(), O.Path.end());
  }
};

// Resolves expressions to keys inside one function body. Local references,
// pointers and smart pointers initialised from another object and never
// reassigned are aliases of it.
class ObjectResolver {
public:
  explicit ObjectResolver(const clang::Stmt *Body);
  std::optional<ObjectKey> keyOf(const clang::Expr *E) const;
  bool isReassigned(const clang::ValueDecl *D) const {
    return Reassigned.contains(D);
  }

private:
  std::optional<ObjectKey> keyOf(const clang::Expr *E, int Depth) const;
  llvm::DenseSet<const clang::ValueDecl *> Reassigned;
};

// The declaration that identifies D across instantiations: a member of a
// class template specialization is compared through the template's pattern,
// anything else through its canonical declaration.
const clang::Decl *canonicalDecl(const clang::ValueDecl *D);

// Is K rooted at a local object: a local variable (not static) that is not
// a reference, pointer or smart pointer — or something reached from one by
// member access — whose address never leaves its function? Such an object
// is its own; no other variable names it (a lambda that captures it names
// the same declaration). Its address leaves through `&v`, `std::ref(v)`
// or a non-const reference parameter it is bound to.
bool isLocalObject(const ObjectKey &K);

// May A, named in one function, and B, named in another, be one object?
// They must designate the same member or variable (compared through
// canonicalDecl()); then two different roots are told apart only when one
// of them is a local object: instances reached through `this`, parameters,
// pointers and globals cannot be told apart across functions.
bool mayBeSameObject(const ObjectKey &A, const ObjectKey &B);

// The declaration an assignment-like expression overwrites (`x = …`,
// `x.reset()`, `this->m = …`), or null.
const clang::ValueDecl *assignedDecl(const clang::Expr *E);

// Between a function's own keys and the names other TUs see (SummaryKey),
// for the channel summaries and the facts alike.
struct SummaryRoots {
  bool Globals = false; // globals by qualified name (facts)
  bool Ret = false;     // the returned object (channel summaries)
};
// K, a key inside FD, as the link phase names it: FD's parameter by
// position, a member of `this` by name, and (when allowed) a global or the
// returned object; nullopt for what other TUs cannot name (locals,
// captures, static locals).
std::optional<SummaryKey> summaryKeyOf(const ObjectKey &K,
                                       const clang::FunctionDecl *FD,
                                       SummaryRoots Allowed);
// The object a linked key names in declaration FD of this TU, or nullopt
// when FD has no such parameter, member or field, or AST no such global.
std::optional<ObjectKey> resolveSummaryKey(const SummaryKey &K,
                                           const clang::FunctionDecl *FD,
                                           clang::ASTContext &AST);

} // namespace tether
