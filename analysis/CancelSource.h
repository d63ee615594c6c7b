// What a function does with a local cancellation source (a std::stop_source,
// folly::CancellationSource, asio cancellation_signal or user model): every
// reference to it is a hand-out of a token, a query, or a "use" that may
// request stop or pass the source on (go vet lostcancel's notion of a use).
// Shared by cancel-lost and cancel-dropped-token.
#pragma once

#include "ApiModel.h"

#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"

#include <vector>

namespace tether {

enum class SourceRefKind {
  // Requests stop, or may: a request method, a non-const method, the source
  // passed to a function (by value, reference or pointer), copied, moved,
  // returned, stored, assigned.
  Use,
  // A token taken from it and handed on: `src.get_token()` passed to a
  // callee, a spawn, captured, stored.
  Handout,
  // Harmless: a const query (`stop_possible()`), a token queried on the
  // spot, a token given to a callback registration (std::stop_callback).
  Query
};

struct SourceRef {
  SourceRefKind Kind;
  const clang::DeclRefExpr *Ref;
  // The node of the analysed function's body that performs it: the
  // reference itself for a use, the token call for a hand-out, or the
  // outermost lambda expression when the reference is in a lambda body (the
  // lambda is where the enclosing function hands the source on).
  const clang::Stmt *Node;
  // A hand-out straight into a call argument (`f(src.get_token())`), in
  // the function itself rather than in a lambda.
  bool Argument = false;
};

// Every reference to VD (a local source of model M) in Body, lambda bodies
// included.
std::vector<SourceRef> sourceRefs(const clang::Stmt *Body,
                                  const clang::VarDecl *VD,
                                  const CancelSourceModel &M,
                                  const ModelSet &Models);

// The local variables of cancellation-source types declared in Body (not in
// lambda bodies, which are functions of their own), with their models.
// Sources that request stop on destruction (std::jthread) are left out.
std::vector<std::pair<const clang::VarDecl *, const CancelSourceModel *>>
localSources(const clang::Stmt *Body, const ModelSet &Models);

} // namespace tether
