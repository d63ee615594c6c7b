// ChannelFlow: the ordering questions the channel checks ask about one
// function. It answers them; the checks decide what is a finding.
//
// The function's own channel events (ChannelEvents), its callees' and the
// threads it starts (ChannelSummaries, mapped to this function's keys) are
// ordered by a forward may-analysis over the CFG whose state is (a) the
// channels that may have been closed on the path so far, with the close
// sites and the branch conditions under which they happened, (b) the
// threads started here that may still be running, and (c) the blocking
// sends of detached threads nobody has received yet. Joins (including
// `for (auto &t : workers) t.join()`, `std::for_each` joins and destructors
// that join) end a thread and make its closes "happened before".
//
// The questions:
// - pairs(): which two events on one channel may happen in this order
//   (a send or close on a path where the channel may already be closed,
//   also when a thread starts after the close), or concurrently (one runs
//   while the thread of the other has been started and not joined)?
// - stuckSends(): which blocking sends of detached threads may still wait
//   for a receiver when the function returns?
// - events(), threads(), sends(), consumes(), owned(), membersClose(): who
//   does what to a channel, and does the function see every use of it?
#pragma once

#include "ChannelEvents.h"
#include "ChannelSummaries.h"

#include "clang/AST/Decl.h"

#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace tether {

class FunctionAnalyses;
struct TUContext;

struct ThreadStart {
  const clang::Expr *Spawn = nullptr; // the spawn expression
  const SpawnModel *Model = nullptr;
  std::optional<ObjectKey> Handle; // variable, member or container holding it
  bool GroupHandle = false;        // Handle is a container of handles
  bool Detached = false;
  const clang::FunctionDecl *Body = nullptr;
  const clang::Expr *Callable = nullptr;
  std::vector<ChanEvent> Effects; // mapped into this function's keys
};

// An event and where it runs: in a thread started by the analysed function
// (an index into threads()), or (-1) in the function itself or a callee.
struct Party {
  const ChanEvent *Ev = nullptr;
  int Thread = -1;
  const ChanEvent &ev() const { return *Ev; }
};

// Two events on one channel and how they are ordered.
struct EventPair {
  enum OrderKind {
    // Later may run after Earlier, a close: Earlier ran earlier on a path
    // reaching Later (branch conditions do not exclude it), or before
    // Later's thread was started.
    AfterClose,
    // Later and Earlier may run at the same time: Earlier's thread is
    // running (started, not joined) when Later runs or its thread starts.
    // Two instances of one thread started more than once have Later.Thread
    // == Earlier.Thread.
    Concurrent,
  };
  OrderKind Order;
  Party Later, Earlier;
  // Concurrent, Later a close in a spawned thread: that thread joins
  // Earlier's thread (or waits on a latch Earlier's thread counts down)
  // before the close.
  bool JoinsFirst = false;
  // Concurrent, Later a close: Earlier's thread is blocked in a send whose
  // receiver gave up before this close; the close is what releases it.
  bool ReleasesBlocked = false;
};

// A blocking send of a detached thread that no receive may take before the
// function returns (the buffer cannot absorb it and nothing else receives),
// and the timed or try receive that last gave up waiting for it (null when
// the function never tries to receive).
struct StuckSend {
  Party Send;
  const ChanEvent *GaveUp = nullptr;
  int GaveUpThread = -1; // the thread GaveUp runs in, as Party::Thread
};

class ChannelFlow {
public:
  explicit ChannelFlow(FunctionAnalyses &Ctx);
  ~ChannelFlow();

  const std::vector<ThreadStart> &threads() const { return Threads; }
  // Ordered pairs of events, in the order the flow meets them; a pair may
  // be met more than once (on several paths).
  const std::vector<EventPair> &pairs() const { return Pairs; }
  const std::vector<StuckSend> &stuckSends() const { return Stuck; }

  // Every event this function can see (its own, its escapes, its callees',
  // its threads'), with the thread it runs in; only those on K.
  void events(llvm::function_ref<void(const Party &)> Fn) const;
  void events(const ObjectKey &K,
              llvm::function_ref<void(const Party &)> Fn) const;

  // Does the party (a thread index, or -1 for the function and its
  // callees) send on K? Consume from K (wait for its values; try-receives
  // that drain a channel on shutdown do not count)?
  bool sends(int Thread, const ObjectKey &K) const;
  bool consumes(int Thread, const ObjectKey &K) const;
  // Does thread T take part in a close of K guarded to run once?
  bool closesOnce(int Thread, const ObjectKey &K) const;

  // A local channel this function created and whose every use it sees.
  bool owned(const ObjectKey &K) const;
  // For a member K of this method's class: does any member function close
  // it, cancel it from the receiver side or let it out? Nullopt when some
  // member function's body is not visible (here or through the link phase).
  std::optional<bool> membersClose(const ObjectKey &K) const;

  const clang::FunctionDecl *function() const { return FD; }

private:
  friend class ChannelFlowSolver;
  TUContext &TU;
  const clang::FunctionDecl *FD;
  BodyFacts Facts;
  std::map<const clang::CallExpr *, std::vector<ChanEvent>> CallEffects;
  std::vector<ThreadStart> Threads;
  std::vector<EventPair> Pairs;
  std::vector<StuckSend> Stuck;
};

} // namespace tether
