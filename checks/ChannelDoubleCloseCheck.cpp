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

  void checkFunction(FunctionContext &Ctx) override {
    const ChannelFlow &Flow = Ctx.channelFlow();
    for (const Conflict &C : Flow.conflicts()) {
      if (C.Kind != ConflictKind::DoubleClose)
        continue;
      const Expr *At = primaryExpr(C.Later, C.LaterThread,
                                   Ctx.ast().getSourceManager());
      std::string Msg =
          C.Concurrent
              ? "channel " + channelName(C.Later) +
                    " may be closed twice: this close can run concurrently "
                    "with another close in a thread that is not joined first"
              : "channel " + channelName(C.Later) +
                    " may already be closed here: it is closed earlier on a "
                    "path that reaches this close";
      DiagBuilder D = Ctx.report(info(), At->getExprLoc(), Msg, At);
      placeAt(D, C.Later, C.LaterThread, At);
      // Harmless second closes (Boost.Fiber, msd) are a design smell, not a
      // crash: report them at remark level.
      if (C.Later.Model &&
          C.Later.Model->OnDoubleClose == DoubleClose::Harmless)
        D.level(Severity::Remark);
      if (C.LaterThread >= 0)
        D.note(Flow.threads()[C.LaterThread].Spawn->getExprLoc(),
               "this close runs in the thread started here");
      addEventNotes(D, Flow, C.Earlier, C.EarlierThread, "first close");
    }
  }
};

} // namespace

std::unique_ptr<Check> createChannelDoubleCloseCheck() {
  return std::make_unique<ChannelDoubleCloseCheck>();
}

} // namespace tether
