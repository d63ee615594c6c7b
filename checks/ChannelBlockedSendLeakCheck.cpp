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
    // Every blocking send of a detached sender that may still wait for a
    // receiver when the function returns: nothing will ever take it.
    for (const StuckSend &S : Flow.stuckSends()) {
      const ChanEvent &Send = S.Send.ev();
      const Expr *At =
          primaryExpr(Send, S.Send.Thread, Ctx.ast().getSourceManager());
      std::string Msg = "this send on channel " + channelName(Send) +
                        " can block forever: the only receiver may return "
                        "without receiving, and nothing closes the channel";
      DiagBuilder D = Ctx.report(info(), At->getExprLoc(), Msg, At);
      if (Send.Ext)
        D.at(Send.Ext->Where); // the sender's code is in another TU
      else
        D.range(At->getSourceRange());
      // Two threads: the sender, and the function that starts it (and
      // receives, unless a thread of its own gives up).
      flowThread(D, Flow, S.Send.Thread, Ctx);
      unsigned Caller = flowThread(D, Flow, -1, Ctx);
      if (S.Send.Thread >= 0)
        D.note(Flow.threads()[S.Send.Thread].Spawn->getExprLoc(),
               "the sender is detached here", Caller);
      unsigned Receiver = flowThread(D, Flow, S.GaveUpThread, Ctx);
      if (S.GaveUp && S.GaveUp->Op)
        D.note(S.GaveUp->opLoc(), "the receiver may give up here", Receiver);
      else if (S.GaveUp && S.GaveUp->Ext)
        D.note(S.GaveUp->Ext->Where, "the receiver may give up here",
               Receiver);
      if (const ValueDecl *Owner = Send.Key.Root)
        D.note(Owner->getLocation(), "channel created here", Caller);
    }
  }
};

} // namespace

std::unique_ptr<Check> createChannelBlockedSendLeakCheck() {
  return std::make_unique<ChannelBlockedSendLeakCheck>();
}

} // namespace tether
