// channel-unclosed: a receiver waits for the end of a channel that no path
// closes. See docs/checks/channel-unclosed.md.
#include "core/ChannelDiag.h"
#include "MemberAccess.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"

#include <optional>
#include <set>

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
    // The channels some party waits on to be closed.
    std::set<ObjectKey> Waited;
    Flow.events([&](const Party &P) {
      if (P.ev().WaitsClose)
        Waited.insert(P.ev().Key);
    });
    for (const ObjectKey &K : Waited) {
      if (K.ThisBased && K.Path.empty())
        checkMember(Ctx, Flow, K);
      else if (Flow.owned(K))
        checkLocal(Ctx, Flow, K);
    }
  }

private:
  // A channel created here that some party waits to see closed, that
  // nobody closes, and whose every use is visible.
  void checkLocal(FunctionContext &Ctx, const ChannelFlow &Flow,
                  const ObjectKey &K) {
    // The waiter: preferably the function itself; the sender: preferably
    // a thread (the producer to fix).
    std::optional<Party> Wait, Send;
    bool Closed = false;
    Flow.events(K, [&](const Party &P) {
      ChanOpKind Kind = P.ev().Kind;
      Closed |= Kind == ChanOpKind::Close || Kind == ChanOpKind::ReceiverCancel;
      if (P.ev().WaitsClose &&
          (!Wait || (Wait->Thread >= 0 && P.Thread < 0)))
        Wait = P;
      if (isSendOp(Kind) && (!Send || (Send->Thread < 0 && P.Thread >= 0)))
        Send = P;
    });
    if (Closed || !Wait)
      return;
    // No last send to close after: every send is in an endless loop (a
    // producer meant to run until the program ends), or in a loop that
    // drains a channel nobody closes (the stage after an unclosed one:
    // that one is reported, once for the chain).
    bool AnySend = false, AllEndless = true, AllDownstream = true;
    Flow.events(K, [&](const Party &P) {
      if (!isSendOp(P.ev().Kind))
        return;
      AnySend = true;
      AllEndless &= P.ev().Endless;
      AllDownstream &= llvm::any_of(P.ev().InDrainOf, [&](const ObjectKey &In) {
        return !(In == K) && neverClosed(Flow, In);
      });
    });
    if (AnySend && (AllEndless || AllDownstream))
      return;
    // A channel whose destructor closes it releases a waiting thread when
    // the owner's scope ends, unless the waiter is the owner itself or
    // keeps the channel alive.
    const auto *VD = cast<VarDecl>(K.Root);
    const ChanEvent &W = Wait->ev();
    if (W.Model && W.Model->ClosesOnDestruction && Wait->Thread >= 0 &&
        !keepsAlive(Flow.threads()[Wait->Thread], VD))
      return;
    report(Ctx, Flow, Send ? *Send : *Wait, *Wait, VD);
  }

  // A private channel member that a thread of this class waits on to be
  // closed, when no member function of the class closes it (or lets it
  // out). Every member function must be visible: defined in this TU or
  // known to the link phase.
  void checkMember(FunctionContext &Ctx, const ChannelFlow &Flow,
                   const ObjectKey &K) {
    const auto *Field = dyn_cast<FieldDecl>(K.Root);
    const auto *MD = dyn_cast<CXXMethodDecl>(Flow.function());
    if (!Field || !MD || Field->getAccess() == AS_public)
      return;
    const CXXRecordDecl *RD = MD->getParent();
    if (RD->isLambda())
      return; // `this` of a lambda: handled in the enclosing method
    if (Field->getParent() != RD || !RD->hasDefinition() ||
        RD->isDependentContext())
      return;
    // Anything else touching the member would have to be a friend: each
    // friend's code must be in sight, and none may name the channel (what
    // a friend does with it is not followed: unsure, it may close it).
    std::optional<llvm::ArrayRef<FriendUse>> Friends =
        Ctx.tu().memberAccess().friendUses(Field);
    if (!Friends || !Friends->empty())
      return;
    std::optional<Party> Wait;
    Flow.events(K, [&](const Party &P) {
      if (P.ev().WaitsClose && !Wait)
        Wait = P;
    });
    if (!Wait || !Wait->ev().Model || Wait->ev().Model->ClosesOnDestruction)
      return; // the member's destructor closes it: order unclear, unsure
    if (Flow.membersClose(K) != false)
      return;
    report(Ctx, Flow, *Wait, *Wait, nullptr);
  }

  // No close, receiver cancel or escape of K anywhere the flow sees.
  static bool neverClosed(const ChannelFlow &Flow, const ObjectKey &K) {
    bool Closed = false;
    Flow.events(K, [&](const Party &P) {
      Closed |= P.ev().Kind == ChanOpKind::Close ||
                P.ev().Kind == ChanOpKind::ReceiverCancel ||
                P.ev().Kind == ChanOpKind::Escape;
    });
    return !Closed;
  }

  // Does the thread hold its own reference to the channel held by smart
  // pointer VD (captured by value)? A function with arguments is not
  // followed (unsure: no).
  static bool keepsAlive(const ThreadStart &T, const VarDecl *VD) {
    if (designatedRecord(VD->getType()) ==
        VD->getType().getNonReferenceType()->getAsCXXRecordDecl())
      return false; // the channel object itself, not a smart pointer
    if (const auto *L = dyn_cast_or_null<LambdaExpr>(
            T.Callable ? stripWrappers(T.Callable) : nullptr))
      for (const LambdaCapture &C : L->captures())
        if (C.capturesVariable() && C.getCapturedVar() == VD)
          return C.getCaptureKind() == LCK_ByCopy;
    return false;
  }

  // Later: the send to close after (or the wait, when nothing sends);
  // Wait: the receive that waits for the close; Owner: the channel's
  // variable (null for a member).
  void report(FunctionContext &Ctx, const ChannelFlow &Flow, const Party &Later,
              const Party &Wait, const ValueDecl *Owner) {
    const ChanEvent &L = Later.ev(), &W = Wait.ev();
    bool HasSend = isSendOp(L.Kind);
    // The line to change is the producer's: point at the send itself,
    // also when a callee (a generator) starts the producer.
    const Expr *At =
        L.Op && HasSend
            ? L.Op
            : primaryExpr(L, Later.Thread, Ctx.ast().getSourceManager());
    std::string Name = channelName(W);
    // A producer inside a callee is named from its own side, so that every
    // caller reports it the same way (and the reports merge).
    const FunctionDecl *Starter = nullptr;
    if (HasSend && Later.Thread < 0 && L.Site != L.Op)
      if (const auto *Call = dyn_cast_or_null<CallExpr>(L.Site))
        Starter = Call->getDirectCallee();
    if (Starter)
      Name = "returned by '" + Starter->getNameAsString() + "'";
    std::string Msg =
        HasSend ? "channel " + Name +
                      " is never closed after this send, but a receiver "
                      "waits for it to be closed; close it after the last "
                      "send"
                : W.Key.ThisBased
                      ? "this receive waits for channel " + Name +
                            " to be closed, but no member function of its "
                            "class closes it"
                      : "this receive waits for channel " + Name +
                            " to be closed, but nothing closes it";
    DiagBuilder D = Ctx.report(info(), At->getExprLoc(), Msg, At);
    // The producer started by a callee runs in a thread of its own.
    if (Starter)
      D.thread("thread started in '" + Starter->getNameAsString() + "'");
    else
      flowThread(D, Flow, Later.Thread, Ctx);
    unsigned Caller = flowThread(D, Flow, -1, Ctx);
    if (HasSend && L.Ext)
      D.at(L.Ext->Where); // the producer is in another TU
    else
      D.range(At->getSourceRange());
    if (HasSend) {
      if (Later.Thread >= 0)
        D.note(Flow.threads()[Later.Thread].Spawn->getExprLoc(),
               "the producer runs in the thread started here", Caller);
      else if (Starter)
        D.note(L.Site->getExprLoc(),
               "the producer is started by the call to '" +
                   Starter->getNameAsString() + "' here",
               Caller);
      addEventNotes(D, Flow, W, Wait.Thread,
                    "the receiver waits for the close", Ctx);
    } else if (Wait.Thread >= 0) {
      D.note(Flow.threads()[Wait.Thread].Spawn->getExprLoc(),
             "the receiver runs in the thread started here", Caller);
    }
    if (Owner && !Starter)
      D.note(Owner->getLocation(), "channel created here", Caller);
  }
};

} // namespace

std::unique_ptr<Check> createChannelUnclosedCheck() {
  return std::make_unique<ChannelUnclosedCheck>();
}

} // namespace tether
