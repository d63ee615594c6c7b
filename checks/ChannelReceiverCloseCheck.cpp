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

  void checkFunction(FunctionContext &Ctx) override {
    const ChannelFlow &Flow = Ctx.channelFlow();
    for (const Conflict &C : Flow.conflicts()) {
      if (C.Kind != ConflictKind::ReceiverClose || observed(C.Earlier))
        continue;
      const Expr *At = primaryExpr(C.Later, C.LaterThread,
                                   Ctx.ast().getSourceManager());
      std::string Msg = "channel " + channelName(C.Later) +
                        " is closed by a party that only receives from it, "
                        "while a producer may still send on it";
      DiagBuilder D = Ctx.report(info(), At->getExprLoc(), Msg, At);
      if (C.Later.Ext) {
        D.at(C.Later.Ext->Where); // the close is in another TU
        D.note(At->getExprLoc(), "in the call here");
      } else {
        D.range(At->getSourceRange());
      }
      if (C.LaterThread >= 0)
        D.note(Flow.threads()[C.LaterThread].Spawn->getExprLoc(),
               "the receiving thread that closes is started here");
      addEventNotes(D, Flow, C.Earlier, C.EarlierThread, "the producer sends");
    }
  }
};

} // namespace

std::unique_ptr<Check> createChannelReceiverCloseCheck() {
  return std::make_unique<ChannelReceiverCloseCheck>();
}

} // namespace tether
