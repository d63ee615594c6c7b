// channel-unclosed: a receiver waits for the end of a channel that no path
// closes. See docs/checks/channel-unclosed.md.
#include "core/ChannelDiag.h"

using namespace clang;

namespace tether {
namespace {

class ChannelUnclosedCheck : public Check {
public:
  const CheckInfo &info() const override {
    static const CheckInfo Info{
        "channel-unclosed",
        "A receiver waits for a channel to be closed, but nothing closes it.",
        "A consumer ranges over the channel (or loops until a receive "
        "fails), so it only finishes when the channel is closed; but no code "
        "that can reach the channel closes it. The consumer, and whoever "
        "joins it, blocks forever once the producers are done. Go's rule: "
        "the producer closes the channel after its last send (`defer "
        "close(out)`).",
        Severity::Warning};
    return Info;
  }

  void checkFunction(FunctionContext &Ctx) override {
    const ChannelFlow &Flow = Ctx.channelFlow();
    for (const Conflict &C : Flow.conflicts()) {
      if (C.Kind != ConflictKind::Unclosed)
        continue;
      bool HasSend = isSendOp(C.Later.Kind);
      // The line to change is the producer's: point at the send itself,
      // also when a callee (a generator) starts the producer.
      const Expr *At =
          C.Later.Op && HasSend
              ? C.Later.Op
              : primaryExpr(C.Later, C.LaterThread,
                            Ctx.ast().getSourceManager());
      std::string Name = channelName(C.Earlier);
      // A producer inside a callee is named from its own side, so that every
      // caller reports it the same way (and the reports merge).
      const FunctionDecl *Starter = nullptr;
      if (HasSend && C.LaterThread < 0 && C.Later.Site != C.Later.Op)
        if (const auto *Call = dyn_cast_or_null<CallExpr>(C.Later.Site))
          Starter = Call->getDirectCallee();
      if (Starter)
        Name = "returned by '" + Starter->getNameAsString() + "'";
      std::string Msg =
          HasSend ? "channel " + Name +
                        " is never closed after this send, but a receiver "
                        "waits for it to be closed; close it after the last "
                        "send"
                  : C.Earlier.Key.ThisBased
                        ? "this receive waits for channel " + Name +
                              " to be closed, but no member function of its "
                              "class closes it"
                        : "this receive waits for channel " + Name +
                              " to be closed, but nothing closes it";
      DiagBuilder D = Ctx.report(info(), At->getExprLoc(), Msg, At);
      if (HasSend && C.Later.Ext)
        D.at(C.Later.Ext->Where); // the producer is in another TU
      else
        D.range(At->getSourceRange());
      if (HasSend) {
        if (C.LaterThread >= 0)
          D.note(Flow.threads()[C.LaterThread].Spawn->getExprLoc(),
                 "the producer runs in the thread started here");
        else if (Starter)
          D.note(C.Later.Site->getExprLoc(),
                 "the producer is started by the call to '" +
                     Starter->getNameAsString() + "' here");
        addEventNotes(D, Flow, C.Earlier, C.EarlierThread,
                      "the receiver waits for the close");
      } else if (C.EarlierThread >= 0) {
        D.note(Flow.threads()[C.EarlierThread].Spawn->getExprLoc(),
               "the receiver runs in the thread started here");
      }
      if (C.Owner && !Starter)
        D.note(C.Owner->getLocation(), "channel created here");
    }
  }
};

} // namespace

std::unique_ptr<Check> createChannelUnclosedCheck() {
  return std::make_unique<ChannelUnclosedCheck>();
}

} // namespace tether
