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
  // callee, a spawn, captured, stored; or kept in a local (`auto tok =
  // src.get_token();`) that is then handed on in one of those ways.
  Handout,
  // Harmless: a const query (`stop_possible()`), a token queried on the
  // spot, a token given to a callback registration (std::stop_callback), a
  // token kept in locals that are only queried (asserts, conditions).
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
  // A use that is a stop request (`src.request_stop()`) written in the
  // function itself rather than in a lambda.
  bool Request = false;
};

// Every reference to VD (a local source of model M) in Body, lambda bodies
// included.
std::vector<SourceRef> sourceRefs(const clang::Stmt *Body,
                                  const clang::VarDecl *VD,
                                  const CancelSourceModel &M,
                                  const ModelSet &Models);

// The local variables of cancellation-source types declared in Body (not in
// lambda bodies, which are functions of their own), with their models.
// Sources that request stop on destruction (std::jthread) are left out, and
// so are variables that hold a handle to a stop state created elsewhere (a
// copy of another source, `jt.get_stop_source()`): only a default-constructed
// source is a state of the function's own.
std::vector<std::pair<const clang::VarDecl *, const CancelSourceModel *>>
localSources(const clang::Stmt *Body, const ModelSet &Models);

// Who may request stop on the state behind a local token? When Tok (a local
// of Body) was taken from a local source of Body that creates its own state
// (see localSources) and every use of that source is a stop request written
// in Body itself — never copied, moved, passed, stored or captured — only
// Body can request stop: Body is the party that stops, and its own waits are
// not waits a stop request could cut short. Returns that source, or null
// when the token may be stopped by other code too.
const clang::VarDecl *ownSourceOfToken(const clang::Stmt *Body,
                                       const clang::VarDecl *Tok,
                                       const ModelSet &Models);

} // namespace tether
