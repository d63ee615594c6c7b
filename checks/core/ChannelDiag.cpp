#include "ChannelDiag.h"

#include "clang/AST/DeclCXX.h"

using namespace clang;

namespace tether {

const Expr *primaryExpr(const ChanEvent &Ev, int Thread) {
  return Thread >= 0 && Ev.Op ? Ev.Op : Ev.Site;
}

void placeAt(DiagBuilder &D, const ChanEvent &Ev, const Expr *At) {
  if (Ev.Ext)
    D.at(Ev.Ext->Where);
  else
    D.range(At->getSourceRange());
}

std::string channelName(const ChanEvent &Ev) {
  return "'" + Ev.Key.describe() + "'";
}

void addEventNotes(DiagBuilder &D, const ChannelFlow &Flow,
                   const ChanEvent &Ev, int Thread, llvm::StringRef What) {
  if (Ev.Ext)
    D.note(Ev.Ext->Where, What.str() + " here, in '" + Ev.Ext->Function + "'");
  else if (Ev.Op)
    D.note(Ev.Op->getExprLoc(), What.str() + " here");
  const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Ev.Via);
  bool ViaLambda = Method && Method->getParent()->isLambda();
  if (Ev.Via && !ViaLambda && Ev.Site != Ev.Op && Thread < 0)
    D.note(Ev.Site->getExprLoc(),
           "in the call to '" + Ev.Via->getNameAsString() + "' here");
  if (Thread >= 0)
    D.note(Flow.threads()[Thread].Spawn->getExprLoc(),
           "in the thread started here");
}

} // namespace tether
