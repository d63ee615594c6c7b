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
    SeenPlaces Seen;
    for (const EventPair &P : Flow.pairs()) {
      // A close racing a send, by a party that sends on the channel too.
      auto R = closeSendRace(Flow, P);
      if (!R || closerRole(Flow, *R) != CloserRole::AlsoSends ||
          !Seen.insert(R->Send.ev(), R->Close.ev()))
        continue;
      const ChanEvent &Close = R->Close.ev();
      // The close is the line to change.
      const Expr *At =
          primaryExpr(Close, R->Close.Thread, Ctx.ast().getSourceManager());
      bool SameThreadInstances = R->Send.Thread == R->Close.Thread;
      std::string Msg =
          "channel " + channelName(Close) +
          (SameThreadInstances
               ? " is closed by each of several concurrent senders; the "
                 "first close makes the others' sends fail"
               : " is closed while another sender may still send on it");
      DiagBuilder D = Ctx.report(info(), At->getExprLoc(), Msg, At);
      flowThread(D, Flow, R->Close.Thread, Ctx);
      placeAt(D, Close, R->Close.Thread, At);
      if (R->Close.Thread >= 0)
        D.note(Flow.threads()[R->Close.Thread].Spawn->getExprLoc(),
               SameThreadInstances
                   ? "senders started here, more than once, not joined "
                     "before the close"
                   : "the closing thread is started here",
               flowThread(D, Flow, -1, Ctx));
      // Another instance of the closing thread sends.
      std::optional<unsigned> SenderThread;
      if (SameThreadInstances && R->Close.Thread >= 0)
        SenderThread = D.thread(
            "another " +
            startedThreadLabel(
                Ctx.ast().getSourceManager(),
                Flow.threads()[R->Close.Thread].Spawn->getExprLoc()));
      addEventNotes(D, Flow, R->Send.ev(),
                    SameThreadInstances ? -1 : R->Send.Thread,
                    "concurrent send", Ctx, SenderThread);
    }
  }
};

} // namespace

std::unique_ptr<Check> createChannelCloseWithActiveSendersCheck() {
  return std::make_unique<ChannelCloseWithActiveSendersCheck>();
}

} // namespace tether
