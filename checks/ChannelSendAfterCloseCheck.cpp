// channel-send-after-close: a send that can run after the channel was closed
// on the same path, or in a thread that is not joined before the close.
// See docs/checks/channel-send-after-close.md.
#include "core/ChannelDiag.h"

#include "InferModels.h"

using namespace clang;

namespace tether {
namespace {

class ChannelSendAfterCloseCheck : public Check {
public:
  const CheckInfo &info() const override {
    static const CheckInfo Info{
        "channel-send-after-close",
        "A send may happen after the channel is closed.",
        "A send can run after close() on some path, or in a thread that is "
        "not joined before the close. The value is lost, the send throws, or "
        "(depending on the library) the behaviour is undefined. Close a "
        "channel only after every sender has finished: join the producers "
        "first, or let the single producer close after its last send.",
        Severity::Warning};
    return Info;
  }

  // A send whose outcome the code observes (status/bool result used, or a
  // throw caught) is the library's documented way to learn about a close.
  static bool observed(const ChanEvent &Send) {
    if (!Send.Model || !Send.Handled)
      return false;
    return Send.Model->OnSendAfterClose != SendAfterClose::UB;
  }

  // Inside a channel class's own send: the closed state tested without the
  // lock the push holds.
  void checkOwnSend(FunctionContext &Ctx) {
    auto U = unlockedClosedTest(Ctx, Ctx.tu().Models);
    if (!U)
      return;
    std::string State = U->Model->ClosedState;
    std::string Msg =
        "send after close: the closed state '" + State +
        "' is tested without holding " + U->Mutex +
        ", which the push below holds; a close between the test and the "
        "push lets this send in after the close, where no receiver takes "
        "it (test it under the same lock)";
    if (U->Model->Inferred)
      Msg += "; '" + U->Model->Types.front() +
             "' is inferred to be a channel from its code";
    DiagBuilder D = Ctx.report(info(), U->Test->getExprLoc(), Msg, U->Test);
    D.range(U->Test->getSourceRange());
    D.note(U->Push->getExprLoc(),
           "the push holds " + U->Mutex + " here");
  }

  void checkFunction(FunctionContext &Ctx) override {
    checkOwnSend(Ctx);
    const ChannelFlow &Flow = Ctx.channelFlow();
    SeenPlaces Seen;
    for (const EventPair &P : Flow.pairs()) {
      // A send on a path after the close, or in a thread started after it;
      // or a send racing a close by a party that neither sends nor
      // receives (the other two checks take those).
      Party Send, Close;
      if (P.Order == EventPair::AfterClose) {
        if (!isSendOp(P.Later.ev().Kind))
          continue;
        Send = P.Later;
        Close = P.Earlier;
      } else if (auto R = closeSendRace(Flow, P);
                 R && closerRole(Flow, *R) == CloserRole::Other) {
        Send = R->Send;
        Close = R->Close;
      } else {
        continue;
      }
      if (!Seen.insert(Send.ev(), Close.ev()) || observed(Send.ev()))
        continue;
      const Expr *At =
          primaryExpr(Send.ev(), Send.Thread, Ctx.ast().getSourceManager());
      std::string Msg =
          P.Order == EventPair::Concurrent
              ? "send on channel " + channelName(Send.ev()) +
                    " may run after the channel is closed: the sending "
                    "thread is not joined before the close"
              : "send on channel " + channelName(Send.ev()) +
                    " after it may have been closed on this path";
      DiagBuilder D = Ctx.report(info(), At->getExprLoc(), Msg, At);
      flowThread(D, Flow, Send.Thread, Ctx);
      placeAt(D, Send.ev(), Send.Thread, At);
      if (Send.Thread >= 0)
        D.note(Flow.threads()[Send.Thread].Spawn->getExprLoc(),
               "the send runs in the thread started here",
               flowThread(D, Flow, -1, Ctx));
      addEventNotes(D, Flow, Close.ev(), Close.Thread, "closed", Ctx);
    }
  }
};

} // namespace

std::unique_ptr<Check> createChannelSendAfterCloseCheck() {
  return std::make_unique<ChannelSendAfterCloseCheck>();
}

} // namespace tether
