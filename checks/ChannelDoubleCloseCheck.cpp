// channel-double-close: two closes of the same channel on one path, or in
// two threads not ordered by a join. See docs/checks/channel-double-close.md.
#include "core/ChannelDiag.h"

using namespace clang;

namespace tether {
namespace {

class ChannelDoubleCloseCheck : public Check {
public:
  const CheckInfo &info() const override {
    static const CheckInfo Info{
        "channel-double-close",
        "A channel may be closed twice.",
        "Two close() calls on the same channel can both run: on one path, or "
        "in two threads that are not ordered by a join. Depending on the "
        "library a second close is harmless, an error, or undefined "
        "behaviour; in every case it means two parties believe they own the "
        "channel's end. Let exactly one owner (the producer, or the closer "
        "that waits for all producers) close it once.",
        Severity::Warning};
    return Info;
  }

  // A close the flow places after another close (on one path, or before
  // its thread starts), or next to one in a thread that may run at the same
  // time, unless only one of the two can run.
  static bool twoCloses(const ChannelFlow &Flow, const EventPair &P) {
    if (P.Later.ev().Kind != ChanOpKind::Close ||
        P.Earlier.ev().Kind != ChanOpKind::Close || bothOnce(P.Later, P.Earlier))
      return false;
    if (P.Order == EventPair::AfterClose)
      return true;
    if (P.ReleasesBlocked || P.JoinsFirst)
      return false;
    // Instances of one thread that also sends: each closes under the
    // others' sends, which is channel-close-with-active-senders.
    bool SameThread = P.Later.Thread >= 0 && P.Later.Thread == P.Earlier.Thread;
    return !(SameThread && Flow.sends(P.Later.Thread, P.Later.ev().Key));
  }

  void checkFunction(FunctionContext &Ctx) override {
    const ChannelFlow &Flow = Ctx.channelFlow();
    SeenPlaces Seen;
    for (const EventPair &P : Flow.pairs()) {
      if (!twoCloses(Flow, P) || !Seen.insert(P.Later.ev(), P.Earlier.ev()))
        continue;
      const ChanEvent &Later = P.Later.ev();
      const Expr *At =
          primaryExpr(Later, P.Later.Thread, Ctx.ast().getSourceManager());
      std::string Msg =
          P.Order == EventPair::Concurrent
              ? "channel " + channelName(Later) +
                    " may be closed twice: this close can run concurrently "
                    "with another close in a thread that is not joined first"
              : "channel " + channelName(Later) +
                    " may already be closed here: it is closed earlier on a "
                    "path that reaches this close";
      DiagBuilder D = Ctx.report(info(), At->getExprLoc(), Msg, At);
      flowThread(D, Flow, P.Later.Thread, Ctx);
      placeAt(D, Later, P.Later.Thread, At);
      // Harmless second closes (Boost.Fiber, msd) are a design smell, not a
      // crash: report them at remark level.
      if (Later.Model && Later.Model->OnDoubleClose == DoubleClose::Harmless)
        D.level(Severity::Remark);
      if (P.Later.Thread >= 0)
        D.note(Flow.threads()[P.Later.Thread].Spawn->getExprLoc(),
               "this close runs in the thread started here",
               flowThread(D, Flow, -1, Ctx));
      addEventNotes(D, Flow, P.Earlier.ev(), P.Earlier.Thread, "first close",
                    Ctx);
    }
  }
};

} // namespace

std::unique_ptr<Check> createChannelDoubleCloseCheck() {
  return std::make_unique<ChannelDoubleCloseCheck>();
}

} // namespace tether
