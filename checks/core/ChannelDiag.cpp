#include "ChannelDiag.h"

#include "clang/AST/DeclCXX.h"
#include "clang/Basic/SourceManager.h"

using namespace clang;

namespace tether {

const Expr *primaryExpr(const ChanEvent &Ev, int Thread,
                       const SourceManager &SM) {
  if (Thread < 0)
    return Ev.Site;
  if (Ev.BodySite && Ev.BodySite != Ev.Op &&
      (Ev.Ext || (Ev.Op && SM.getFileID(SM.getExpansionLoc(
                               Ev.Op->getExprLoc())) !=
                               SM.getFileID(SM.getExpansionLoc(
                                   Ev.BodySite->getExprLoc())))))
    return Ev.BodySite;
  return Ev.Op ? Ev.Op : Ev.Site;
}

void placeAt(DiagBuilder &D, const ChanEvent &Ev, int Thread,
             const Expr *At) {
  if (Ev.Ext && Thread >= 0 && At == Ev.Site) {
    D.at(Ev.Ext->Where);
    return;
  }
  D.range(At->getSourceRange());
  if (At == Ev.Op)
    return;
  if (Ev.Ext)
    D.note(Ev.Ext->Where, "in '" + Ev.Ext->Function + "' here");
  else if (Ev.Op && Thread >= 0)
    D.note(Ev.Op->getExprLoc(),
           Ev.Via ? "in '" + Ev.Via->getNameAsString() + "' here"
                  : std::string("the channel operation is here"));
}

std::string channelName(const ChanEvent &Ev) {
  std::string Name = "'" + Ev.Key.describe() + "'";
  // Nobody wrote this model: say where it comes from, so that a reader can
  // judge it (and write one if the inference is wrong).
  if (Ev.Model && Ev.Model->Inferred && !Ev.Model->Types.empty())
    Name += " (a '" + Ev.Model->Types.front() +
            "', inferred to be a channel from its code)";
  return Name;
}

unsigned flowThread(DiagBuilder &D, const ChannelFlow &Flow, int Thread,
                    FunctionAnalyses &Ctx) {
  if (Thread < 0 || size_t(Thread) >= Flow.threads().size())
    return D.thread(runningThreadLabel(Ctx.function()));
  return D.thread(startedThreadLabel(Ctx.ast().getSourceManager(),
                                     Flow.threads()[Thread].Spawn->getExprLoc()));
}

void addEventNotes(DiagBuilder &D, const ChannelFlow &Flow,
                   const ChanEvent &Ev, int Thread, llvm::StringRef What,
                   FunctionAnalyses &Ctx, std::optional<unsigned> Given) {
  unsigned In = Given ? *Given : flowThread(D, Flow, Thread, Ctx);
  if (Ev.Ext)
    D.note(Ev.Ext->Where, What.str() + " here, in '" + Ev.Ext->Function + "'",
           In);
  else if (Ev.Op)
    D.note(Ev.Op->getExprLoc(), What.str() + " here", In);
  const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Ev.Via);
  bool ViaLambda = Method && Method->getParent()->isLambda();
  if (Ev.Via && !ViaLambda && Ev.Site != Ev.Op && Thread < 0) {
    // Name the function called on that line, not the innermost one that
    // holds the operation.
    const FunctionDecl *Called = Ev.Via;
    if (const auto *CE = dyn_cast<CallExpr>(Ev.Site->IgnoreParenImpCasts()))
      if (const FunctionDecl *FD = CE->getDirectCallee())
        Called = FD;
    D.note(Ev.Site->getExprLoc(),
           "in the call to '" + Called->getNameAsString() + "' here", In);
  }
  if (Thread >= 0)
    D.note(Flow.threads()[Thread].Spawn->getExprLoc(),
           "in the thread started here", flowThread(D, Flow, -1, Ctx));
}

std::optional<CloseSendRace> closeSendRace(const ChannelFlow &Flow,
                                           const EventPair &P) {
  if (P.Order != EventPair::Concurrent || P.ReleasesBlocked)
    return std::nullopt;
  CloseSendRace R;
  if (P.Later.ev().Kind == ChanOpKind::Close && isSendOp(P.Earlier.ev().Kind))
    R = {P.Later, P.Earlier};
  else if (isSendOp(P.Later.ev().Kind) &&
           P.Earlier.ev().Kind == ChanOpKind::Close)
    R = {P.Earlier, P.Later};
  else
    return std::nullopt;
  if (P.JoinsFirst)
    return std::nullopt; // the closer waited for the sender first
  // The last of a counted group of senders closes: Go's WaitGroup done by
  // hand.
  if (R.Close.ev().Once && Flow.closesOnce(R.Send.Thread, R.Close.ev().Key))
    return std::nullopt;
  return R;
}

CloserRole closerRole(const ChannelFlow &Flow, const CloseSendRace &R) {
  const ObjectKey &K = R.Close.ev().Key;
  if (Flow.sends(R.Close.Thread, K))
    return CloserRole::AlsoSends;
  if (Flow.consumes(R.Close.Thread, K))
    return CloserRole::OnlyReceives;
  return CloserRole::Other;
}

} // namespace tether
