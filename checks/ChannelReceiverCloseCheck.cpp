// channel-receiver-close: close() by a party that only receives from the
// channel while another party still sends. See
// docs/checks/channel-receiver-close.md.
#include "core/ChannelDiag.h"

using namespace clang;

namespace tether {
namespace {

class ChannelReceiverCloseCheck : public Check {
public:
  const CheckInfo &info() const override {
    static const CheckInfo Info{
        "channel-receiver-close",
        "A receiver closes a channel that another party still sends on.",
        "The code that closes the channel only receives from it, while a "
        "producer may still be sending. In Go this panics the sender; in C++ "
        "libraries the producer's values are dropped, its send throws, or "
        "the behaviour is undefined. The convention is that the sender "
        "closes: let the producer close after its last send, and let a "
        "consumer that wants to stop early signal the producer instead (a "
        "stop token, or a receiver-side cancel the library documents).",
        Severity::Warning};
    return Info;
  }

  // A producer that checks its send's status (or catches the throw) is
  // written to be stopped by a close: the library's documented
  // receiver-side cancel.
  static bool observed(const ChanEvent &Send) {
    if (!Send.Model || !Send.Handled)
      return false;
    return Send.Model->OnSendAfterClose != SendAfterClose::UB;
  }

  // "in the call to 'consume' here": the function called on that line,
  // not the innermost one that holds the close.
  static std::string callNote(const Expr *Call, const ChanEvent &Close) {
    const FunctionDecl *Called = Close.Via;
    if (const auto *CE = dyn_cast<CallExpr>(Call->IgnoreParenImpCasts()))
      if (const FunctionDecl *FD = CE->getDirectCallee())
        Called = FD;
    return Called ? "in the call to '" + Called->getNameAsString() + "' here"
                  : std::string("in the call here");
  }

  void checkFunction(FunctionContext &Ctx) override {
    const ChannelFlow &Flow = Ctx.channelFlow();
    SeenPlaces Seen;
    for (const EventPair &P : Flow.pairs()) {
      // A close racing a send, by a party that only consumes the channel.
      auto R = closeSendRace(Flow, P);
      if (!R || closerRole(Flow, *R) != CloserRole::OnlyReceives ||
          !Seen.insert(R->Close.ev(), R->Send.ev()) || observed(R->Send.ev()))
        continue;
      const ChanEvent &Close = R->Close.ev();
      // The close is the line to fix: the primary location, also when it
      // sits in a function the consumer calls (here, in its thread's body,
      // in another file or TU). The calls that lead to it are notes.
      const Expr *At =
          Close.Op ? Close.Op
                   : primaryExpr(Close, R->Close.Thread,
                                 Ctx.ast().getSourceManager());
      std::string Msg = "channel " + channelName(Close) +
                        " is closed by a party that only receives from it, "
                        "while a producer may still send on it";
      DiagBuilder D = Ctx.report(info(), At->getExprLoc(), Msg, At);
      flowThread(D, Flow, R->Close.Thread, Ctx);
      if (Close.Ext)
        D.at(Close.Ext->Where); // the close is in another TU
      else
        D.range(At->getSourceRange());
      // The call chain, outermost first: the call in the analysed function,
      // then the call in the receiving thread's body.
      if (R->Close.Thread < 0 && Close.Site && Close.Site != Close.Op)
        D.note(Close.Site->getExprLoc(), callNote(Close.Site, Close));
      if (R->Close.Thread >= 0)
        D.note(Flow.threads()[R->Close.Thread].Spawn->getExprLoc(),
               "the receiving thread that closes is started here",
               flowThread(D, Flow, -1, Ctx));
      if (R->Close.Thread >= 0 && Close.BodySite &&
          Close.BodySite != Close.Op)
        D.note(Close.BodySite->getExprLoc(), callNote(Close.BodySite, Close));
      addEventNotes(D, Flow, R->Send.ev(), R->Send.Thread,
                    "the producer sends", Ctx);
    }
  }
};

} // namespace

std::unique_ptr<Check> createChannelReceiverCloseCheck() {
  return std::make_unique<ChannelReceiverCloseCheck>();
}

} // namespace tether
