// Small questions about declarations and callables that analyses and
// checks share, answered in one place: the function a lambda belongs to,
// whether a declaration comes from a system header, and which function a
// callable (a thread's or task's body) runs.
#pragma once

#include "clang/AST/Decl.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"

#include <initializer_list>
#include <set>
#include <vector>

namespace tether {

// The named function a body belongs to: a lambda's call operator (nested
// lambdas too) goes by the function it is written in. FD itself otherwise;
// null when a lambda is not written inside a function.
const clang::FunctionDecl *enclosingNamedFunction(const clang::FunctionDecl *FD);

// Is the location (after macro expansion) in a system header? Library
// internals are described by the models, not analysed.
bool inSystemHeader(const clang::SourceManager &SM, clang::SourceLocation L);
bool inSystemHeader(const clang::Decl *D);

// The lambda a callable is: written in place, or a local variable
// initialised with one (`auto body = [&] {…}; std::thread t(body);`).
const clang::LambdaExpr *lambdaOf(const clang::Expr *Callable);

// The function a callable runs, with its body: a lambda's call operator, a
// function or member function (`&Server::run`) as its definition, or the
// operator() of a callable object. Null when it has no body here.
const clang::FunctionDecl *calleeBody(const clang::Expr *Callable);

// A for, range-for, while or do loop.
bool isLoop(const clang::Stmt *S);
// The body of such a loop; null for any other statement.
const clang::Stmt *loopBody(const clang::Stmt *Loop);

// The innermost try block around each statement under S (lambdas are
// functions of their own and are not entered; a handler belongs to the try
// block around its own try statement, Try for the top level).
void innermostTries(const clang::Stmt *S, const clang::CXXTryStmt *Try,
                    llvm::DenseMap<const clang::Stmt *,
                                   const clang::CXXTryStmt *> &Out);

// Is Inner Outer itself or one of its descendants?
bool containsStmt(const clang::Stmt *Outer, const clang::Stmt *Inner);

// A variable whose storage ends with its scope (locals and by-value
// parameters). References are not: what they refer to is someone else's;
// nor are a lambda's init-captures (members of the closure).
bool isAutomaticObject(const clang::ValueDecl *D);

// Does F hold for S or a node below it? Lambda bodies are not looked into:
// their code runs when the lambda is called, not here.
template <typename Fn> bool anyNode(const clang::Stmt *S, Fn F) {
  if (!S || llvm::isa<clang::LambdaExpr>(S))
    return false;
  if (F(S))
    return true;
  for (const clang::Stmt *C : S->children())
    if (anyNode(C, F))
      return true;
  return false;
}

// Is FD's plain name (no scope) one of Names? False for null and for
// functions without a plain name (operators, constructors).
bool hasName(const clang::FunctionDecl *FD,
             std::initializer_list<llvm::StringRef> Names);

// Removes the records equal to an earlier one (under the strict weak order
// Less), keeping the first of each in place. A summary composed through
// callees reaches the same call by many paths (a lock taken in 145 inlined
// helpers): once is what every reader needs.
template <typename T, typename Less>
void eraseDuplicates(std::vector<T> &V, Less L) {
  auto ByValue = [&](const T *A, const T *B) { return L(*A, *B); };
  std::set<const T *, decltype(ByValue)> Seen(ByValue);
  std::vector<bool> Keep;
  Keep.reserve(V.size());
  for (const T &X : V)
    Keep.push_back(Seen.insert(&X).second);
  size_t Out = 0;
  for (size_t I = 0; I < V.size(); ++I)
    if (Keep[I]) {
      if (Out != I)
        V[Out] = std::move(V[I]);
      ++Out;
    }
  V.erase(V.begin() + Out, V.end());
}

} // namespace tether
