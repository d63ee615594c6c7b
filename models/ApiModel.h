// API models: which library types are channels, cancellation sources/tokens,
// spawns, futures, locks and blocking calls. One YAML file per library lives
// next to this header and is compiled into the tool; users add their own
// entries in `.tether.yaml` (`models:` key) with the same schema. The schema is
// documented in docs/models.md. Checks never hard-code library names: they ask
// a ModelSet.
#pragma once

#include "llvm/Support/GlobPattern.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
}

namespace tether {

// Every name of Patterns that is not a valid glob, as one error line, or "".
// Method-name lists marked "globs" in docs/models.md are read with
// llvm::GlobPattern (`wait*`, `push*`, `insert`).
std::string invalidGlobs(const std::vector<std::string> &Patterns);
// True when Name matches one of Patterns (validated globs).
bool matchesAnyGlob(const std::vector<std::string> &Patterns,
                    const std::string &Name);

// What happens on a second close().
enum class DoubleClose { Harmless, Error, Panic, UB };
// What a send on a closed channel does.
enum class SendAfterClose { Status, ReturnsFalse, Throws, UB, Dropped };

// How a receive reports that the channel is closed (and drained).
enum class ClosedForm {
  Bool,      // returns false
  Status,    // returns a status enumerator (named in Status)
  Optional,  // returns an empty std::optional (or any type testing false)
  Exception, // throws (the type named in Exception)
  Sentinel,  // yields a sentinel value the senders put in (close-less queues)
};
struct ReceiveClosedModel {
  std::vector<std::string> Methods; // receive methods described
  ClosedForm Form = ClosedForm::Bool;
  std::string Status;    // qualified enumerator, e.g. acme::status::closed
  std::string Exception; // qualified exception class
  std::string Sentinel;  // a literal: nullptr, -1, "" ...
};

struct ChannelModel {
  std::vector<std::string> Types; // qualified class (template) names
  std::vector<std::string> Send, Receive, TrySend, TryReceive, TimedSend,
      TimedReceive, Close, IsClosed, IsOpen, ReceiverCancel;
  // Free functions or operators taking the channel as first argument are
  // written with their name, e.g. `operator<<`.
  bool Range = false;               // for (auto v : ch) ends when closed
  bool ClosesOnDestruction = false; // ~T() closes
  bool Bounded = false;             // sends block when the buffer is full
  int CapacityArg = -1;             // constructor argument giving capacity
  // Slots of the capacity that never hold an element (Boost.Fiber's ring
  // buffer keeps one free: capacity N holds N-1 elements).
  int ReservedSlots = 0;
  // A capacity of 0 (or no capacity argument) means "unbounded" rather than
  // "unbuffered" (msd::channel).
  bool ZeroCapacityUnbounded = false;
  DoubleClose OnDoubleClose = DoubleClose::Harmless;
  SendAfterClose OnSendAfterClose = SendAfterClose::Status;
  // How each receive reports "closed"; receives not listed are understood
  // as "a result that tests false".
  std::vector<ReceiveClosedModel> ReceiveClosed;
  // The queue has no close: a receiver ends on a sentinel value (poison
  // pill) or a timeout.
  bool Closeless = false;
  // Read from the code (InferModels), not written by anyone.
  bool Inferred = false;
  // For a project's own channel class: the member that holds the closed
  // state (set by close, read by send and receive). Lets the analysis ask
  // questions of the class's own methods (a send that tests it without the
  // lock its push holds).
  std::string ClosedState;

  // The closed form of receive Method, or null when the model says none.
  const ReceiveClosedModel *closedForm(const std::string &Method) const;
  // Enumerators of the returned status that mean the operation succeeded
  // (`send_after_close: status`): `channel_op_status::success`.
  std::vector<std::string> Success;
};

struct CancelSourceModel {
  std::string Type;
  std::vector<std::string> Request, GetToken;
  // ~T() requests stop itself (std::jthread): a local of this type cannot be
  // left unrequested.
  bool RequestsOnDestruction = false;
  std::vector<std::string> Query; // "has stop been requested?" on the source
};
struct CancelTokenModel {
  std::string Type;
  std::vector<std::string> Query;
};
// A wait that has an overload taking a token (std::condition_variable_any).
struct InterruptibleWaitModel {
  std::string Type;
  std::vector<std::string> Methods;
  // The ones among Methods that return after a timeout (wait_for).
  std::vector<std::string> Timed;
  // Types it replaces as it is, with the same waits and wakes plus the
  // token overloads (std::condition_variable for condition_variable_any):
  // the fix-it for a wait on one of them.
  std::vector<std::string> Replaces;
};

struct CancellationModel {
  std::vector<CancelSourceModel> Sources;
  std::vector<CancelTokenModel> Tokens;
  std::vector<InterruptibleWaitModel> InterruptibleWaits;
  // Types whose construction registers a callback on a token, run when stop
  // is requested (std::stop_callback): handing them a token does not hand it
  // out.
  std::vector<std::string> Callbacks;
  // Thread interruption (Boost.Thread): `interrupt` on the handle,
  // interruption points as free functions.
  std::vector<std::string> InterruptionPoints;
};

// What destroying a handle whose thread still runs does: nothing (a
// detached-by-default handle), std::terminate (a joinable std::thread),
// abort the program (a running QThread: qFatal), join, or request stop and
// join (std::jthread).
enum class OnDestruction {
  Nothing,
  Terminate,
  AbortIfRunning,
  Join,
  RequestStopAndJoin
};
// Destroying a handle of a still running thread ends the program.
inline bool endsProgram(OnDestruction D) {
  return D == OnDestruction::Terminate || D == OnDestruction::AbortIfRunning;
}

// A spawn: either a handle type constructed with a callable (std::thread),
// a thread object started by a method that runs one of its own virtual
// methods (QThread: start() runs run()), a free function (std::async,
// pthread_create) or methods of a pool type.
struct SpawnModel {
  std::string Type;     // handle or pool type; empty for a free function
  std::string Function; // free function; empty for a type
  std::vector<std::string> Methods; // pool submit methods (Type is the pool)
  // Methods that start the object's own thread (`start`), which runs the
  // virtual method Body (`run`) of the object's class: the object is the
  // handle.
  std::vector<std::string> Start;
  std::string Body;
  int CallableArg = -1; // -1: first argument that is callable
  std::vector<std::string> Join, Detach, Interrupt;
  OnDestruction Destruction = OnDestruction::Nothing;
  bool PassesStopToken = false; // callable may take a stop token first
  // Costs no OS thread (a fiber, a coroutine task): cheap enough to start
  // one per input item.
  bool Lightweight = false;
  std::string Returns;          // e.g. "std::future": the handle returned
  // "Is there still a thread to join?" on the handle (`joinable`).
  std::vector<std::string> Joinable;
  // Pool methods that wait until every submitted task has finished; globs.
  // Defaults to `wait*` for pool models (`wait`, `wait_idle`).
  std::vector<std::string> WaitAll;
};

struct FutureModel {
  std::string Type;
  std::vector<std::string> Wait, TimedWait;
  bool BlocksOnDestruction = false; // std::async's shared state
  // "Is there a result to wait for?" (`valid`).
  std::vector<std::string> Valid;
};

struct LockModel {
  std::vector<std::string> Mutexes; // lockable types
  std::vector<std::string> Lock, Unlock, TryLock, SharedLock, SharedUnlock;
  std::vector<std::string> Guards; // RAII guard types
  // Tag types passed to a guard's constructor: take no lock
  // (std::defer_lock_t), try to take it (std::try_to_lock_t), take over a
  // lock already held (std::adopt_lock_t).
  std::vector<std::string> DeferTags, TryTags, AdoptTags;
  // "Does the guard hold its mutex?" on a guard (`owns_lock`).
  std::vector<std::string> Owns;
};

// Any other call that blocks the calling thread, with the wait reason the
// runtime reports for it (Go's vocabulary: "sleep", "cond wait", "IO wait").
struct BlockingModel {
  std::string Type;     // empty for free functions
  std::string Function; // free function name, or empty
  std::vector<std::string> Methods;
  std::string Reason;
  // Returns only once all work handed to the object has finished (an event
  // loop's run()): like a join of every task it ran.
  bool WaitsForWork = false;
  // Does not return while the program runs (an event loop with no stop,
  // a scheduler that takes the thread over): the code after a call is
  // never reached, and a function ending in one never returns normally.
  // Say it only when no stop exists: a loop whose run() returns on
  // stop() or when it runs out of work returns.
  bool NeverReturns = false;
  // Methods that count down what the wait waits for (std::latch::count_down,
  // std::barrier::arrive): Go's WaitGroup.Done.
  std::vector<std::string> Arrive;
  // The argument that bounds the wait when the caller passes it (a timeout
  // or deadline whose default waits forever: QThread::wait(ms)), or -1. A
  // call that passes it returns on its own and is not taken as blocking,
  // as a future's `timed_wait`.
  int TimeoutArg = -1;
};

// The vocabulary the standard library gives to any class, which user types
// follow too: method names (globs) matched on any class, not on one type.
struct ConventionsModel {
  std::vector<std::string> Insert;        // push_back, emplace*, insert
  std::vector<std::string> Emplace;       // construct the element in place
  std::vector<std::string> ElementAccess; // back, front, at
  std::vector<std::string> Observe;       // begin, size: no element handed out
  std::vector<std::string> Unwrap;        // get: the value held inside
  std::vector<std::string> Wait;  // acquire*, wait*, join: blocks until a peer lets it go
  std::vector<std::string> Size;  // size, length: how many elements
  std::vector<std::string> Remove;  // pop*, erase: take an element out
  std::vector<std::string> Resize;  // resize(n), assign(n, v): n elements
  std::vector<std::string> RangeInsert; // insert/append/assign(first, last)
  std::vector<std::string> End;     // end, cend: the past-the-end iterator
  std::vector<std::string> Minimum; // min(a, b): at most either argument
  // Calls whose result was read from outside the program (accept, recv,
  // getline, a queue's pop): a count taken from them comes from input.
  std::vector<std::string> InputReads;
  // Functions that make an object elsewhere and hand it back (make_*).
  std::vector<std::string> Factories;
  // Methods that wake a condition variable's waiters (notify_one): Go's
  // Cond.Signal and Cond.Broadcast.
  std::vector<std::string> Wake;
};

// Owning pointers. Shared ones keep what they point to alive in every copy.
struct SmartPointerModel {
  std::vector<std::string> Types;
  bool Shared = false;
  std::vector<std::string> Make;     // factories: std::make_shared(args…)
  std::vector<std::string> Allocate; // factories taking an allocator first
};

// Library functions and types with a meaning of their own.
struct UtilitiesModel {
  std::vector<std::string> ReferenceWrappers; // std::ref: refers to its argument
  std::vector<std::string> ForEach;    // std::for_each(first, last, f)
  std::vector<std::string> FixedSizeContainers; // std::array
  std::vector<std::string> StreamBases; // std::ios_base
  std::vector<std::string> CoreCounts; // std::thread::hardware_concurrency
  std::vector<std::string> Optionals;  // std::optional: empty or one value
  // duration<Rep, Period> (Period a ratio<Num, Den> of seconds) and
  // time_point<Clock, Duration>: a timeout and a deadline.
  std::vector<std::string> Durations;
  std::vector<std::string> TimePoints;
};

// Atomic types: their operations write shared state without a lock, so a
// flag they set is written (a store, a read-modify-write) wherever it is.
struct AtomicsModel {
  std::vector<std::string> Types; // std::atomic, std::atomic_ref, std::atomic_flag
  std::vector<std::string> Flags; // boolean by themselves (std::atomic_flag)
  std::vector<std::string> Set;    // methods (globs) that set the value: store
  std::vector<std::string> Update; // read-modify-writes (globs): fetch_*
  std::vector<std::string> Read;   // methods (globs) that read it: load
  // Read-modify-writes whose result tells exactly one caller it was first
  // (exchange, test_and_set, compare_exchange*).
  std::vector<std::string> Claim;
  // Read-modify-writes that step a counter (fetch_add, fetch_sub).
  std::vector<std::string> Step;
  // Free functions named prefix + method (+ `_explicit`), acting on the
  // object their first argument points to: std::atomic_fetch_sub_explicit.
  std::vector<std::string> FunctionPrefixes;
};

struct ApiModel {
  std::string Library;
  std::string Description;
  std::string Origin; // file it was read from ("<builtin>/std.yaml", path)
  std::vector<ChannelModel> Channels;
  CancellationModel Cancellation;
  std::vector<SpawnModel> Spawns;
  std::vector<FutureModel> Futures;
  std::vector<LockModel> Locks;
  std::vector<BlockingModel> Blocking;
  ConventionsModel Conventions;
  std::vector<SmartPointerModel> SmartPointers;
  UtilitiesModel Utilities;
  AtomicsModel Atomics;
};

// Parses one model document. On error returns nullopt and writes
// "file:line:col: error: message" lines to Err.
std::optional<ApiModel> parseModel(const std::string &Text,
                                   const std::string &FileName,
                                   llvm::raw_ostream &Err);

// The built-in models compiled into the binary: (file name, YAML text).
const std::vector<std::pair<std::string, std::string>> &builtinModelSources();

// A set of models with lookup tables. Type names are matched against the
// qualified name of a class or class template with inline namespaces
// suppressed, and against its base classes (done by the caller).
class ModelSet {
public:
  void add(ApiModel M);
  // Loads every built-in model; returns false (and writes errors) if one of
  // them is malformed.
  bool addBuiltins(llvm::raw_ostream &Err);

  const std::vector<ApiModel> &models() const { return Models; }

  const ChannelModel *channelForType(const std::string &QualName) const;
  const SpawnModel *spawnForType(const std::string &QualName) const;
  const SpawnModel *spawnForFunction(const std::string &QualName) const;
  const FutureModel *futureForType(const std::string &QualName) const;
  const CancelSourceModel *cancelSourceForType(const std::string &Q) const;
  const CancelTokenModel *cancelTokenForType(const std::string &Q) const;
  bool isCancelCallbackType(const std::string &Q) const;
  const LockModel *lockForMutexType(const std::string &Q) const;
  bool isLockGuardType(const std::string &Q) const;
  // The lock model that lists Q among its guards: the names of the guard's
  // own lock and unlock methods when the mutex it wraps has no model.
  const LockModel *lockForGuardType(const std::string &Q) const;
  const BlockingModel *blockingForFunction(const std::string &Q) const;
  const BlockingModel *blockingForMethod(const std::string &Type,
                                         const std::string &Method) const;
  // Every blocking model of Type, in load order.
  std::vector<const BlockingModel *>
  blockingForType(const std::string &Type) const;
  // The blocking model of Type whose wait Method counts down (`arrive`).
  const BlockingModel *arriveForMethod(const std::string &Type,
                                       const std::string &Method) const;

  // Which tag a guard constructor argument of type Q is.
  enum class LockTag { None, Defer, Try, Adopt };
  LockTag lockTagForType(const std::string &Q) const;
  // A method that asks a guard whether it holds its mutex (owns_lock, and
  // the try_lock methods, which answer that too).
  bool isGuardOwnsQuery(const std::string &Method) const;

  // Conventions: Method matches the union of every model's globs.
  enum class Convention {
    Insert, Emplace, ElementAccess, Observe, Unwrap, Wait, Size, Remove,
    Resize, RangeInsert, End, Minimum, InputReads, Factories, Wake
  };
  bool follows(Convention C, const std::string &Method) const;

  const SmartPointerModel *smartPointerForType(const std::string &Q) const;
  // The smart-pointer model whose factory Q is, and whether it takes an
  // allocator first.
  const SmartPointerModel *smartPointerFactory(const std::string &Q,
                                               bool *Allocates = nullptr) const;
  bool isReferenceWrapperFunction(const std::string &Q) const;
  bool isForEachFunction(const std::string &Q) const;
  bool isFixedSizeContainer(const std::string &Q) const;
  bool isStreamBase(const std::string &Q) const;
  bool isCoreCountFunction(const std::string &Q) const;
  bool isOptionalType(const std::string &Q) const;
  bool isDurationType(const std::string &Q) const;
  bool isTimePointType(const std::string &Q) const;

  // Atomics: whether Q is an atomic type, one that is boolean by itself,
  // and what a method of it or a free function does.
  enum class AtomicWrite { None, Set, Update };
  bool isAtomicType(const std::string &Q) const;
  bool isAtomicFlagType(const std::string &Q) const;
  AtomicWrite atomicMethod(const std::string &Method) const;
  bool isAtomicRead(const std::string &Method) const;
  bool isAtomicClaim(const std::string &Method) const;
  bool isAtomicStep(const std::string &Method) const;
  AtomicWrite atomicFunction(const std::string &QualName) const;

  // Pointers into Models' vectors are invalidated by add(); indexes store
  // positions instead.
  struct Pos { size_t Model, Item; };

private:
  void index(const ApiModel &M);
  std::vector<ApiModel> Models;
  std::map<std::string, Pos> ChannelByType, SpawnByType, SpawnByFunction,
      FutureByType, SourceByType, TokenByType, LockByMutex, LockByGuard,
      BlockingByFunction;
  std::map<std::string, std::vector<Pos>> BlockingByType;
  std::map<std::string, bool> CallbackTypes;
  std::map<std::string, LockTag> LockTags;
  std::map<std::string, bool> OwnsQueries, ReferenceWrappers, ForEach,
      FixedSize, StreamBases, CoreCounts, Optionals, Durations,
      TimePoints;
  std::map<std::string, Pos> SmartByType;
  std::map<std::string, std::pair<Pos, bool>> SmartFactories;
  std::vector<std::vector<llvm::GlobPattern>> ConventionGlobs;
  std::map<std::string, bool> AtomicTypes, AtomicFlags;
  std::vector<llvm::GlobPattern> AtomicSet, AtomicUpdate, AtomicRead,
      AtomicClaim, AtomicStep;
  std::vector<std::string> AtomicPrefixes; // longest first
};

} // namespace tether
