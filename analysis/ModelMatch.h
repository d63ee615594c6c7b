// Matching Clang AST nodes against the API models: which type is a channel,
// which call is a send, a close, a spawn, a join. Checks go through here and
// never compare library names themselves.
#pragma once

#include "ApiModel.h"

#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"

#include <optional>
#include <string>

namespace tether {

enum class ChanOpKind {
  Send, Receive, TrySend, TryReceive, TimedSend, TimedReceive, Close,
  IsClosed, IsOpen, ReceiverCancel,
  // Not an operation: the channel is handed to code the analysis cannot
  // see (an unknown function, a container, a global), so its fate is
  // unknown.
  Escape
};
const char *chanOpName(ChanOpKind K);
inline bool isSendOp(ChanOpKind K) {
  return K == ChanOpKind::Send || K == ChanOpKind::TrySend ||
         K == ChanOpKind::TimedSend;
}
inline bool isReceiveOp(ChanOpKind K) {
  return K == ChanOpKind::Receive || K == ChanOpKind::TryReceive ||
         K == ChanOpKind::TimedReceive;
}

struct ChanOp {
  ChanOpKind Kind;
  const ChannelModel *Model;
  const clang::Expr *Object; // expression designating the channel
  const clang::Expr *Call;   // the call itself
};

// The qualified name used for model lookup: the class template's name for a
// specialization, inline namespaces suppressed ("std::thread",
// "boost::fibers::buffered_channel").
std::string modelName(const clang::NamedDecl *D);

// Looks through references, pointers and smart pointers (any class with an
// operator-> returning a pointer) to the class a value designates.
const clang::CXXRecordDecl *designatedRecord(clang::QualType T);

// The channel model of a type (directly or through a base class), or null.
const ChannelModel *channelModelOf(clang::QualType T, const ModelSet &Models);
const SpawnModel *spawnModelOf(clang::QualType T, const ModelSet &Models);

// The cancellation source / token model of a value type (directly, through
// a reference or a base class; not through pointers), or null.
const CancelSourceModel *cancelSourceModelOf(clang::QualType T,
                                             const ModelSet &Models);
const CancelTokenModel *cancelTokenModelOf(clang::QualType T,
                                           const ModelSet &Models);
// A type whose construction registers a callback on a token
// (std::stop_callback).
bool isCancelCallbackType(clang::QualType T, const ModelSet &Models);

// A call that operates on a channel: member call, operator (member or free)
// or free function taking the channel first.
std::optional<ChanOp> matchChanOp(const clang::Expr *E,
                                  const ModelSet &Models);

// A spawn: construction of a handle type with a callable, a spawn function
// call, a pool submit method call, or the start method of a thread object
// (`worker.start()` of a QThread subclass: the thread runs the object's
// `run()`).
struct SpawnSite {
  const SpawnModel *Model;
  const clang::Expr *Expr;     // CXXConstructExpr / CallExpr
  const clang::Expr *Callable; // may be null when not found
  // Arguments passed to the callable after it (thread(f, a, b) -> a, b).
  llvm::SmallVector<const clang::Expr *, 4> Args;
  // A start method: the object started (the handle), and the method its
  // thread runs when it is known — the object is a value, so its class is
  // the one that overrides the model's `body` last (null otherwise, or when
  // that is the model type's own).
  const clang::Expr *Started = nullptr;
  const clang::CXXMethodDecl *BodyMethod = nullptr;
};
std::optional<SpawnSite> matchSpawn(const clang::Expr *E,
                                    const ModelSet &Models);
// The override of a thread type's body method (the model's `body`, `run`)
// that an object of class RD runs: RD's own or its nearest base's below the
// model type; null when only the model type's own is there (QThread::run,
// an event loop).
const clang::CXXMethodDecl *threadBodyOf(const clang::CXXRecordDecl *RD,
                                         const SpawnModel &M);
// The variable or member that holds Object by value (`w`, `this->w_`,
// `o.w_`); null when Object is reached through a pointer or a reference.
const clang::ValueDecl *valueHolder(const clang::Expr *Object);
// The function a spawn's thread runs: the callable's body, or the started
// object's body method; null when unknown.
const clang::FunctionDecl *spawnBody(const SpawnSite &S);

// The lock model of a mutex type (directly or through a base class), or null.
const LockModel *mutexModelOf(clang::QualType T, const ModelSet &Models);
// True for a RAII guard type of some lock model (lock_guard, unique_lock…).
bool isGuardType(clang::QualType T, const ModelSet &Models);
// A duration or a time point of the models' utilities (std::chrono's): an
// argument of such a type bounds the wait it is passed to.
bool isTimeoutType(clang::QualType T, const ModelSet &Models);
// Which lock tag (defer / try / adopt) a guard constructor argument of type T
// is, as the lock models' `*_tags` say.
ModelSet::LockTag lockTagOf(clang::QualType T, const ModelSet &Models);
// A guard method that answers "do you hold the mutex?" (`owns_lock`, and the
// lock models' `try_lock` methods, which take it and answer).
bool isGuardOwnsQuery(const clang::CXXMethodDecl *MD, const ModelSet &Models);

// A call that blocks the calling thread.
struct BlockingOp {
  std::string What; // "channel receive", "thread join", "sleep", …
  const clang::Expr *Call = nullptr;
  // Lock arguments the operation releases while it blocks (a condition
  // variable wait's `lk`): guard variables or mutex expressions.
  llvm::SmallVector<const clang::Expr *, 2> Released;
  // The object operated on (the condition variable of a wait), or null.
  const clang::Expr *Object = nullptr;
  // The model says the call does not return while the program runs
  // (`never_returns: true`).
  bool NeverReturns = false;
};

// Channel receive, send on a bounded channel, thread join, future
// get()/wait(), and every call in a BlockingModel. Try and timed channel and
// future operations do not block (indefinitely) and are not matched, nor
// is a call that passes the timeout argument its BlockingModel names.
std::optional<BlockingOp> matchBlockingOp(const clang::Expr *E,
                                          const ModelSet &Models);

// `if (t.joinable())`, `if (f.valid())`: the handle's spawn model `joinable`
// or its future model `valid`.
bool isHandleQuery(const clang::CXXMemberCallExpr *Call,
                   const ModelSet &Models);
// `pool.wait()`, `pool.wait_idle()`: a method of the pool model's `wait_all`.
bool isPoolWaitAll(const clang::CXXMemberCallExpr *Call,
                   const SpawnModel &Pool);

// Conventions (the models' `conventions:`): the standard library's method
// names, which user classes follow too, on an object of any class.
bool followsConvention(const clang::FunctionDecl *FD,
                       ModelSet::Convention C, const ModelSet &Models);
// The same for the direct callee of a call (`min(n, 8)`, `q.pop()`).
bool calleeFollows(const clang::CallExpr *Call, ModelSet::Convention C,
                   const ModelSet &Models);
// `v.push_back(x)`, `m.emplace(k, v)`, `s.insert(x)`: puts an element in.
bool isContainerInsert(const clang::CallExpr *Call, const ModelSet &Models);
// `v[i]` (the language's subscript), `v.back()`, `v.at(i)`: gives one out.
bool isElementAccess(const clang::CXXMethodDecl *MD, const ModelSet &Models);

// A type of a smart pointer model whose copies share ownership
// (std::shared_ptr, boost::intrusive_ptr), looked at through references.
bool isSharedOwnerType(clang::QualType T, const ModelSet &Models);
// `std::make_shared<T>(args…)`: a smart pointer model's factory. Allocates:
// the first argument is an allocator, not the object's (allocate_shared).
const SmartPointerModel *smartPointerFactoryCall(const clang::CallExpr *Call,
                                                 const ModelSet &Models,
                                                 bool *Allocates = nullptr);
// `std::ref(x)`, `std::cref(x)`: a wrapper referring to its argument.
bool isReferenceWrapperCall(const clang::CallExpr *Call,
                            const ModelSet &Models);
// `std::for_each(first, last, f)`.
bool isForEachCall(const clang::CallExpr *Call, const ModelSet &Models);
// std::array: a container whose size is part of its type.
bool isFixedSizeContainerType(clang::QualType T, const ModelSet &Models);
// std::optional and the like (`optionals`): empty, or one value.
bool isOptionalType(clang::QualType T, const ModelSet &Models);
// A stream: a class that is, or derives from, a `stream_bases` type.
bool isStreamType(clang::QualType T, const ModelSet &Models);
// `channel_op_status::success` for a channel whose model lists it in
// `success`.
bool isSuccessStatus(const clang::EnumConstantDecl *EC,
                     const ChannelModel &M);
// The interruptible wait model (std::condition_variable_any) one of whose
// methods MD is, or null; its `timed` ones return after a timeout.
const InterruptibleWaitModel *interruptibleWaitOf(const clang::CXXMethodDecl *MD,
                                                  const ModelSet &Models);

// A member call of a blocking model that returns once all work handed to
// its object has finished (an event loop's `run()`: `waits_for_work: true`).
bool runsAllWork(const clang::CallExpr *Call, const ModelSet &Models);

// `h.join()` / `h.detach()` on a spawn handle type.
enum class HandleOpKind { Join, Detach };
struct HandleOp {
  HandleOpKind Kind;
  const SpawnModel *Model;
  const clang::Expr *Object;
};
std::optional<HandleOp> matchHandleOp(const clang::Expr *E,
                                      const ModelSet &Models);

// std::move and std::forward: casts the language defines ([utility]),
// spelled as library functions. Clang knows them as builtins; the names
// are the answer only where builtins are off (-fno-builtin).
bool isLanguageCast(const clang::FunctionDecl *FD);
// A function handing back a wrapper that refers to its one argument
// (std::ref, boost::cref): it takes the argument by reference and its
// result converts to a reference to the argument's type. Read off the
// declarations, so it needs no model.
bool returnsReferenceWrapper(const clang::FunctionDecl *FD);

// Strips parens, implicit casts, temporaries, std::ref/cref/move and
// functional casts: the expression a value "really" is.
const clang::Expr *stripWrappers(const clang::Expr *E);

// Strips only what makes no difference to which object a value is: parens,
// implicit casts, cleanups, temporaries, copies and moves by constructor,
// functional casts. `&x`, `*p` and `std::ref(x)` stay. Options: look
// through `std::move`/`std::forward` calls, and through the construction of
// a callable wrapper (std::function) from a lambda.
struct StripOptions {
  bool MoveForward = false;
  bool CallableWrappers = false;
};
const clang::Expr *stripTemporaries(const clang::Expr *E,
                                    StripOptions Opts = {});

// The callee's name ("push", "operator<<") and the implicit object / first
// argument of a call expression, if it is a call.
struct CallShape {
  const clang::FunctionDecl *Callee = nullptr;
  std::string Name;
  const clang::Expr *Object = nullptr; // member object or first argument
  bool IsMember = false;
};
std::optional<CallShape> callShape(const clang::Expr *E);

} // namespace tether
