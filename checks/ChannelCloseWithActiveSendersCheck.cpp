// channel-close-with-active-senders: one of several concurrent senders (or
// a party that also sends) closes the channel while the others may still
// send. See docs/checks/channel-close-with-active-senders.md.
#include "core/ChannelDiag.h"

using namespace clang;

namespace tether {
namespace {

class ChannelCloseWithActiveSendersCheck : public Check {
public:
  const CheckInfo &info() const override {
    static const CheckInfo Info{
        "channel-close-with-active-senders",
        "A sender closes a channel while other senders may still send.",
        "Several parties send on this channel and one of them closes it "
        "while the others may still be sending: their sends fail, throw or "
        "are lost. Use Go's fan-in shape: a single closer waits for every "
        "sender (join them, or count them down with a latch) and then closes "
        "once.",
        Severity::Warning};
    return Info;
  }

  void checkFunction(FunctionContext &Ctx) override {
    const ChannelFlow &Flow = Ctx.channelFlow();
    for (const Conflict &C : Flow.conflicts()) {
      if (C.Kind != ConflictKind::CloseWithActiveSenders)
        continue;
      // The close is the line to change.
      const Expr *At = primaryExpr(C.Earlier, C.EarlierThread,
                                   Ctx.ast().getSourceManager());
      bool SameThreadInstances = C.LaterThread == C.EarlierThread;
      std::string Msg =
          "channel " + channelName(C.Earlier) +
          (SameThreadInstances
               ? " is closed by each of several concurrent senders; the "
                 "first close makes the others' sends fail"
               : " is closed while another sender may still send on it");
      DiagBuilder D = Ctx.report(info(), At->getExprLoc(), Msg, At);
      placeAt(D, C.Earlier, C.EarlierThread, At);
      if (C.EarlierThread >= 0)
        D.note(Flow.threads()[C.EarlierThread].Spawn->getExprLoc(),
               SameThreadInstances
                   ? "senders started here, more than once, not joined "
                     "before the close"
                   : "the closing thread is started here");
      addEventNotes(D, Flow, C.Later, SameThreadInstances ? -1 : C.LaterThread,
                    "concurrent send");
    }
  }
};

} // namespace

std::unique_ptr<Check> createChannelCloseWithActiveSendersCheck() {
  return std::make_unique<ChannelCloseWithActiveSendersCheck>();
}

} // namespace tether
