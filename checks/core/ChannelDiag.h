// Shared parts of the channel checks: how an event and the thread it runs
// in are described in notes, and the one decision three checks share (who
// is to blame when a close races a send).
#pragma once

#include "ChannelFlow.h"
#include "Check.h"

#include <optional>
#include <set>
#include <tuple>

namespace tether {

// A close and a send on one channel that may run at the same time, from a
// concurrent pair of the flow, when nothing orders them after all: the
// close is not the wake-up of a sender blocked after its receiver gave up,
// the closing thread did not join the sender first, and it is not the last
// of a counted group of senders closing (`if (--live == 0) ch.close();` in
// every sender).
struct CloseSendRace {
  Party Close, Send;
};
std::optional<CloseSendRace> closeSendRace(const ChannelFlow &Flow,
                                           const EventPair &P);

// Who closes in a race, which decides the check that reports it: a closer
// that also sends (close-with-active-senders), one that only consumes
// (receiver-close), anyone else (send-after-close).
enum class CloserRole { AlsoSends, OnlyReceives, Other };
CloserRole closerRole(const ChannelFlow &Flow, const CloseSendRace &R);

// Two closes guarded so that only one of them runs (`if
// (!stopped.exchange(true)) ch.close();` on both sides).
inline bool bothOnce(const Party &A, const Party &B) {
  return A.ev().Once && B.ev().Once;
}

// One finding per pair of places (the first pair the flow meets wins): the
// flow may meet the same two operations through several paths or threads.
class SeenPlaces {
public:
  bool insert(const ChanEvent &Later, const ChanEvent &Earlier) {
    return Seen
        .insert({Later.Site, Later.Op, Later.Ext, Earlier.Site, Earlier.Op,
                 Earlier.Ext})
        .second;
  }

private:
  std::set<std::tuple<const clang::Expr *, const clang::Expr *,
                      const ExternalOp *, const clang::Expr *,
                      const clang::Expr *, const ExternalOp *>>
      Seen;
};

// The location a finding about Ev points at: the operation itself when it
// runs in a spawned thread (the lambda is usually right there) — unless the
// operation sits in another file (a wrapper's header, another TU) and the
// thread's body calls it here, then that call; otherwise the statement in
// the analysed function (the op, or the call leading to it).
const clang::Expr *primaryExpr(const ChanEvent &Ev, int Thread,
                               const clang::SourceManager &SM);

// The finding's thread (DiagBuilder::thread) for a party's thread of the
// flow: "thread started at <spawn>" for a started thread, "thread running
// '<function>'" for the analysed function and its callees (-1). Call it for
// the primary location's party first.
unsigned flowThread(DiagBuilder &D, const ChannelFlow &Flow, int Thread,
                    FunctionAnalyses &Ctx);

// Adds notes: "<What> here" at the operation, "in the call to 'f' here" when
// it happens inside a callee, "in the thread started here" for threads.
// The operation's notes go in the finding's thread for Thread, the spawn's
// in the analysed function's.
// In, when given, is the finding's thread for the operation instead.
void addEventNotes(DiagBuilder &D, const ChannelFlow &Flow,
                   const ChanEvent &Ev, int Thread, llvm::StringRef What,
                   FunctionAnalyses &Ctx,
                   std::optional<unsigned> In = std::nullopt);

// Sets the finding's range at At, or, for an operation known from another
// TU (the link phase) that has no better place here than the spawn, moves
// the primary location to where it really is. When At is a call leading to
// the operation, a note points at the operation itself.
void placeAt(DiagBuilder &D, const ChanEvent &Ev, int Thread,
             const clang::Expr *At);

// 'out', 'this->jobs_'
std::string channelName(const ChanEvent &Ev);

} // namespace tether
