// Shared wording for channel findings: how an event and the thread it runs
// in are described in notes.
#pragma once

#include "ChannelFlow.h"
#include "Check.h"

namespace tether {

// The location a finding about Ev points at: the operation itself when it
// runs in a spawned thread (the lambda is usually right there), otherwise
// the statement in the analysed function (the op, or the call leading to it).
const clang::Expr *primaryExpr(const ChanEvent &Ev, int Thread);

// Adds notes: "<What> here" at the operation, "in the call to 'f' here" when
// it happens inside a callee, "in the thread started here" for threads.
void addEventNotes(DiagBuilder &D, const ChannelFlow &Flow,
                   const ChanEvent &Ev, int Thread, llvm::StringRef What);

// Sets the finding's range at At, or, for an operation known from another
// TU (the link phase), moves the primary location to where it really is.
void placeAt(DiagBuilder &D, const ChanEvent &Ev, const clang::Expr *At);

// 'out', 'this->jobs_'
std::string channelName(const ChanEvent &Ev);

} // namespace tether
