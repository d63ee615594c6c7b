// channel-blocked-send-leak: a detached task's blocking send that its only
// receiver may never take. See docs/checks/channel-blocked-send-leak.md.
#include "core/ChannelDiag.h"

using namespace clang;

namespace tether {
namespace {

class ChannelBlockedSendLeakCheck : public Check {
public:
  const CheckInfo &info() const override {
    static const CheckInfo Info{
        "channel-blocked-send-leak",
        "A spawned task may block forever sending to a receiver that gave up.",
        "A detached thread or pool task sends on a channel whose only "
        "receiver can return without receiving (it timed out, failed, or "
        "was cancelled). The buffer cannot take the value and nothing closes "
        "the channel, so the send blocks forever: the task, its stack and "
        "everything it holds leak. This is Go's leaky() goroutine. Give the "
        "channel room for every send, use a try/timed send, or close the "
        "channel (or request stop) on the receiver's early exit.",
        Severity::Warning};
    return Info;
  }

  void checkFunction(FunctionContext &Ctx) override {
    const ChannelFlow &Flow = Ctx.channelFlow();
    for (const Conflict &C : Flow.conflicts()) {
      if (C.Kind != ConflictKind::BlockedSend)
        continue;
      const Expr *At = primaryExpr(C.Later, C.LaterThread,
                                   Ctx.ast().getSourceManager());
      std::string Msg = "this send on channel " + channelName(C.Later) +
                        " can block forever: the only receiver may return "
                        "without receiving, and nothing closes the channel";
      DiagBuilder D = Ctx.report(info(), At->getExprLoc(), Msg, At);
      if (C.Later.Ext)
        D.at(C.Later.Ext->Where); // the sender's code is in another TU
      else
        D.range(At->getSourceRange());
      if (C.LaterThread >= 0)
        D.note(Flow.threads()[C.LaterThread].Spawn->getExprLoc(),
               "the sender is detached here");
      if (C.Earlier.Op)
        D.note(C.Earlier.opLoc(), "the receiver may give up here");
      else if (C.Earlier.Ext)
        D.note(C.Earlier.Ext->Where, "the receiver may give up here");
      if (C.Owner)
        D.note(C.Owner->getLocation(), "channel created here");
    }
  }
};

} // namespace

std::unique_ptr<Check> createChannelBlockedSendLeakCheck() {
  return std::make_unique<ChannelBlockedSendLeakCheck>();
}

} // namespace tether
