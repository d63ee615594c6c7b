// ChannelShapes: the syntactic shapes the channel analysis recognises, one
// question each: "does this branch leave the loop?", "is this condition true
// for exactly one caller?", "does this initialiser create the channel?",
// "which thread container does this for_each join?", "how many values does
// the channel created here hold before a send blocks?", and which callees
// have bodies the analysis follows (user code here, or known to the link
// phase). No state: every answer is read off the AST and the models.
#pragma once

#include "ASTHelpers.h"
#include "ModelMatch.h"
#include "ObjectKey.h"

#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"

#include <map>
#include <optional>
#include <string>

namespace tether {

class LinkedSummaries;

// The body a spawn or call runs: a lambda's call operator, a function with a
// body, a local lambda variable's, a callable object's operator(). Null when
// not visible here.
// The USR of a function (stable across TUs).
std::string usrOf(const clang::FunctionDecl *FD);

namespace chan {

// A callee whose body the analysis follows: user code. Library internals
// (system headers) are described by the models instead.
bool summarisable(const clang::FunctionDecl *Callee);
// A user function declared here and defined in another TU.
bool externalUserFunction(const clang::FunctionDecl *Callee);
// The declaration whose summary describes a call's callee: its definition
// here, or (second pass) its canonical declaration when the link phase
// knows it. Null when neither.
const clang::FunctionDecl *summaryDecl(const clang::FunctionDecl *Callee,
                                       const LinkedSummaries *Linked);
bool summarisableCall(const clang::CallExpr *Call,
                      const LinkedSummaries *Linked);

// Does Branch leave the loop it is in (break not inside an inner loop or
// switch, return, throw)?
bool leavesLoop(const clang::Stmt *Branch);
// The number of statements that leave the loop whose body is S.
unsigned countExits(const clang::Stmt *S);
bool hasGoto(const clang::Stmt *S);
// A condition that is true for exactly one caller: an atomic claim
// (exchange, compare-exchange: the models' `claim`), or a counter step (`step`,
// `--`) compared for equality (`live.fetch_sub(1) == 1`, `--pending == 0`,
// `!--n`).
bool isOnceCondition(const clang::Stmt *S, const ModelSet &Models);
// A node that passes its operand's value on unchanged (casts, parentheses,
// temporaries, copies).
bool isWrapper(const clang::Stmt *S);

// A variable or member whose type holds a channel (directly, by pointer,
// reference or smart pointer).
bool holdsChannel(clang::QualType T, const ModelSet &Models);
// `make_shared<Chan>(…)`, `new Chan(…)`, `Chan ch(…)`: the initialiser
// creates the channel.
bool createsChannel(const clang::Expr *Init, const ModelSet &Models);
// The call whose returned channel an initialiser designates: `gen()`,
// `*gen()`.
const clang::CallExpr *generatorCall(const clang::Expr *E);
// The number of elements the channel created by VD's initialiser holds
// before a send blocks; nullopt when unbounded or not known.
std::optional<uint64_t> usableCapacity(const clang::VarDecl *VD,
                                       const ChannelModel *M,
                                       const ModelSet &Models,
                                       clang::ASTContext &AST);

// `std::for_each(ts.begin(), ts.end(), [](auto &t) { t.join(); })`: the
// container whose threads are joined.
std::optional<ObjectKey> forEachJoin(const clang::Expr *E,
                                     const ObjectResolver &R,
                                     const ModelSet &Models);
// The latch or barrier `done.wait()` waits on (a blocking model with
// `arrive` methods), or null.
const clang::Expr *latchWaited(const clang::Expr *E, const ModelSet &Models);
// Keys of the latches a body counts down (outside the lambdas it creates).
void latchesCountedDown(const clang::Stmt *S, const ObjectResolver &R,
                        const ModelSet &Models,
                        llvm::SmallVectorImpl<ObjectKey> &Out);
// The thread handle (or handle container) a join's object designates:
// `t`, `workers[i]`, the range variable of `for (auto &t : workers)`.
std::optional<ObjectKey>
joinedHandle(const clang::Expr *Obj, const ObjectResolver &R,
             const std::map<const clang::VarDecl *, ObjectKey> &RangeVars);

// Is the key's root visible outside FD (parameter, `this`, global, or a
// variable of an enclosing function captured by a lambda)?
bool escapesFunction(const ObjectKey &K, const clang::FunctionDecl *FD);

} // namespace chan
} // namespace tether
