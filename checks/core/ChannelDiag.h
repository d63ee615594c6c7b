// Shared wording for channel findings: how an event and the thread it runs
// in are described in notes.
#pragma once

#include "ChannelFlow.h"
#include "Check.h"

namespace tether {

// The location a finding about Ev points at: the operation itself when it
// runs in a spawned thread (the lambda is usually right there) — unless the
// operation sits in another file (a wrapper's header, another TU) and the
// thread's body calls it here, then that call; otherwise the statement in
// the analysed function (the op, or the call leading to it).
const clang::Expr *primaryExpr(const ChanEvent &Ev, int Thread,
                               const clang::SourceManager &SM);

// Adds notes: "<What> here" at the operation, "in the call to 'f' here" when
// it happens inside a callee, "in the thread started here" for threads.
void addEventNotes(DiagBuilder &D, const ChannelFlow &Flow,
                   const ChanEvent &Ev, int Thread, llvm::StringRef What);

// Sets the finding's range at At, or, for an operation known from another
// TU (the link phase) that has no better place here than the spawn, moves
// the primary location to where it really is. When At is a call leading to
// the operation, a note points at the operation itself.
void placeAt(DiagBuilder &D, const ChanEvent &Ev, int Thread,
             const clang::Expr *At);

// 'out', 'this->jobs_'
std::string channelName(const ChanEvent &Ev);

} // namespace tether
