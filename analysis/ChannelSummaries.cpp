#include "ChannelSummaries.h"
#include "ASTHelpers.h"
#include "AnalysisContext.h"
#include "Facts.h"
#include "Spawns.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Basic/SourceManager.h"

using namespace clang;

namespace tether {

using namespace chan;

// Maps an event of Callee into the caller: parameters become the keys of
// the arguments, `this`-based keys go through the object expression.
static std::optional<ObjectKey>
mapKey(const ObjectKey &K, const FunctionDecl *Callee,
       llvm::ArrayRef<const Expr *> Args, const Expr *Object,
       const ObjectResolver &R, const ObjectKey *Dest) {
  if (K.Ret) {
    if (!Dest)
      return std::nullopt;
    ObjectKey Out = *Dest;
    Out.Path.append(K.Path.begin(), K.Path.end());
    return Out;
  }
  if (K.ThisBased) {
    if (!Object || isa<CXXThisExpr>(Object->IgnoreParenImpCasts()))
      return K;
    auto Base = R.keyOf(Object);
    if (!Base)
      return std::nullopt;
    Base->Path.push_back(cast<FieldDecl>(K.Root));
    Base->Path.append(K.Path.begin(), K.Path.end());
    return Base;
  }
  if (const auto *P = dyn_cast_or_null<ParmVarDecl>(K.Root)) {
    if (P->getDeclContext() != Callee)
      return K; // a parameter of an enclosing function, seen by a lambda
    unsigned I = P->getFunctionScopeIndex();
    if (I >= Args.size())
      return std::nullopt;
    auto Base = R.keyOf(Args[I]);
    if (!Base)
      return std::nullopt;
    Base->Path.append(K.Path.begin(), K.Path.end());
    return Base;
  }
  return escapesFunction(K, Callee) ? std::optional<ObjectKey>(K)
                                    : std::nullopt;
}

void chan::appendMapped(std::vector<ChanEvent> &Out,
                         const std::vector<ChanEvent> &In,
                         const FunctionDecl *Callee,
                         llvm::ArrayRef<const Expr *> Args, const Expr *Object,
                         const Expr *Site, const ObjectResolver &R,
                         const ObjectKey *Dest, bool ThreadBody) {
  for (const ChanEvent &Ev : In)
    if (auto K = mapKey(Ev.Key, Callee, Args, Object, R, Dest)) {
      ChanEvent M = Ev;
      M.Key = *K;
      if (ThreadBody)
        M.BodySite = Ev.Site;
      M.Site = Site;
      if (!M.Via)
        M.Via = Callee;
      M.JoinedBefore.clear();
      for (const ObjectKey &J : Ev.JoinedBefore)
        if (auto JK = mapKey(J, Callee, Args, Object, R, Dest))
          M.JoinedBefore.push_back(*JK);
      M.InDrainOf.clear();
      for (const ObjectKey &D : Ev.InDrainOf)
        if (auto DK = mapKey(D, Callee, Args, Object, R, Dest))
          M.InDrainOf.push_back(*DK);
      Out.push_back(std::move(M));
    } else if (Ev.Kind == ChanOpKind::Escape && Ev.Key.Ret && !Dest) {
      // A returned channel the caller drops or passes on unseen: nothing
      // to map it to, and nothing to report about it.
    }
}

// Arguments of a call as the callee's parameters see them.
std::pair<llvm::SmallVector<const Expr *, 4>, const Expr *>
chan::callArgs(const CallExpr *Call) {
  llvm::SmallVector<const Expr *, 4> Args;
  const Expr *Object = nullptr;
  unsigned First = 0;
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call)) {
    Object = MC->getImplicitObjectArgument();
  } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call)) {
    if (isa_and_nonnull<CXXMethodDecl>(Op->getDirectCallee())) {
      Object = Op->getArg(0);
      First = 1;
    }
  }
  for (unsigned I = First; I < Call->getNumArgs(); ++I)
    Args.push_back(Call->getArg(I));
  return {Args, Object};
}

const ModelSet &SummaryCache::models() const { return TU.Models; }

// Effects of a spawned body, mapped into the spawning function.
std::vector<ChanEvent> chan::threadEffects(SummaryCache &Cache,
                                            const SpawnSite &Site,
                                            const FunctionDecl *Body,
                                            const ObjectResolver &R) {
  std::vector<ChanEvent> Out;
  if (!Body)
    return Out;
  llvm::SmallVector<const Expr *, 4> Args(Site.Args.begin(), Site.Args.end());
  const Expr *Object = nullptr;
  const auto *MD = dyn_cast<CXXMethodDecl>(Body);
  if (MD && MD->isInstance() && !MD->getParent()->isLambda() &&
      !Args.empty() && MD->getOverloadedOperator() != OO_Call) {
    Object = Args.front(); // std::thread(&C::run, this, ...)
    Args.erase(Args.begin());
  }
  if (MD && MD->getParent()->isLambda())
    Object = nullptr; // `this` inside a lambda is the enclosing object
  if (Site.Started)
    Object = Site.Started; // `w.start()` runs w's run()
  // std::jthread passes its stop token first when the callable takes one.
  if (Site.Model && Site.Model->PassesStopToken &&
      Body->getNumParams() == Args.size() + 1) {
    if (cancelTokenModelOf(Body->getParamDecl(0)->getType(), Cache.models()))
      Args.insert(Args.begin(), nullptr);
  }
  appendMapped(Out, Cache.get(Body).Events, Body, Args, Object, Site.Expr, R,
               nullptr, /*ThreadBody=*/true);
  return Out;
}

const ChannelSummary &SummaryCache::get(const FunctionDecl *FD) {
  static const ChannelSummary Empty;
  auto It = Cache.find(FD);
  if (It != Cache.end())
    return *It->second;
  if (!FD->hasBody())
    return fromLinked(FD);
  if (InProgress.contains(FD) || InProgress.size() > 16)
    return Empty; // recursion: the cycle contributes nothing more
  InProgress.insert(FD);
  auto S = std::make_unique<ChannelSummary>();
  const Stmt *Body = FD->getBody();
  ObjectResolver R(Body);
  Spawns Started(TU, FD);
  BodyFacts F = collectFacts(Body, TU, R, Started);
  // Events on a local the function returns are the caller's: key them as
  // the returned object.
  auto SummaryKey = [&](ObjectKey K) -> std::optional<ObjectKey> {
    if (const auto *VD = dyn_cast_or_null<VarDecl>(K.Root);
        VD && !K.ThisBased && F.ReturnedLocals.contains(VD)) {
      K.Root = nullptr;
      K.Ret = true;
      return K;
    }
    if (K.Ret || escapesFunction(K, FD))
      return K;
    return std::nullopt;
  };
  auto Keep = [&](ChanEvent Ev) {
    std::optional<ObjectKey> K = SummaryKey(Ev.Key);
    if (!K)
      return;
    Ev.Key = std::move(*K);
    S->Events.push_back(std::move(Ev));
  };
  auto MapOpt = [&](const std::optional<ObjectKey> &K)
      -> std::optional<ObjectKey> {
    return K ? SummaryKey(*K) : std::nullopt;
  };
  // Calls into other TUs, in this function's keys.
  for (const CallExpr *Call : F.ExtCalls) {
    auto [Args, Object] = callArgs(Call);
    ExternalCallRec Rec;
    Rec.Callee = usrOf(Call->getDirectCallee()->getCanonicalDecl());
    for (const Expr *A : Args)
      Rec.Args.push_back(MapOpt(R.keyOf(A)));
    if (Object && isa<CXXThisExpr>(Object->IgnoreParenImpCasts()))
      Rec.ObjectIsThis = true;
    else if (Object)
      Rec.Object = MapOpt(R.keyOf(Object));
    if (auto DIt = F.CallDest.find(Call); DIt != F.CallDest.end())
      Rec.Dest = MapOpt(DIt->second);
    S->ExternalCalls.push_back(std::move(Rec));
  }
  for (const ChanEvent &Ev : F.Ops)
    Keep(Ev);
  for (const ChanEvent &Ev : F.Escapes)
    Keep(Ev);
  // A returned channel that did not start here is not the caller's alone.
  if (F.ReturnsForeign) {
    ChanEvent Ev{ChanOpKind::Escape, ObjectKey(), nullptr, nullptr, nullptr,
                 nullptr, false};
    Ev.Key.Ret = true;
    S->Events.push_back(std::move(Ev));
  }
  for (const VarDecl *VD : F.ReturnedLocals)
    if (F.NotFresh.contains(VD)) {
      ChanEvent Ev{ChanOpKind::Escape, ObjectKey(), nullptr, nullptr, nullptr,
                   nullptr, false};
      Ev.Key.Ret = true;
      S->Events.push_back(std::move(Ev));
    }
  for (const CallExpr *Call : F.Calls) {
    const FunctionDecl *Def = summaryDecl(Call->getDirectCallee(), TU.Linked);
    if (!Def)
      continue;
    auto [Args, Object] = callArgs(Call);
    auto DIt = F.CallDest.find(Call);
    const ObjectKey *Dest = DIt == F.CallDest.end() ? nullptr : &DIt->second;
    const ChannelSummary &CS = get(Def);
    std::vector<ChanEvent> Mapped;
    appendMapped(Mapped, CS.Events, Def, Args, Object, Call, R, Dest);
    for (ChanEvent &Ev : Mapped)
      Keep(std::move(Ev));
    // The callee's own calls into other TUs, seen from here.
    for (const ExternalCallRec &X : CS.ExternalCalls) {
      ExternalCallRec Rec;
      Rec.Callee = X.Callee;
      auto Through = [&](const std::optional<ObjectKey> &K)
          -> std::optional<ObjectKey> {
        if (!K)
          return std::nullopt;
        return MapOpt(mapKey(*K, Def, Args, Object, R, Dest));
      };
      for (const auto &A : X.Args)
        Rec.Args.push_back(Through(A));
      Rec.Object = Through(X.Object);
      Rec.Dest = Through(X.Dest);
      if (X.ObjectIsThis) {
        // The callee's `this` is this call's object.
        if (!Object || isa<CXXThisExpr>(Object->IgnoreParenImpCasts()))
          Rec.ObjectIsThis = true;
        else
          Rec.Object = MapOpt(R.keyOf(Object));
      }
      S->ExternalCalls.push_back(std::move(Rec));
    }
  }
  for (const SpawnRec &Sp : F.Spawns)
    for (ChanEvent &Ev :
         threadEffects(*this, Sp.Site, spawnBody(Sp.Site), R))
      Keep(std::move(Ev));
  eraseDuplicates(S->ExternalCalls, [](const ExternalCallRec &A,
                                       const ExternalCallRec &B) {
    return std::tie(A.Callee, A.Args, A.Object, A.Dest, A.ObjectIsThis) <
           std::tie(B.Callee, B.Args, B.Object, B.Dest, B.ObjectIsThis);
  });
  InProgress.erase(FD);
  return *(Cache[FD] = std::move(S));
}

const ChannelSummary &SummaryCache::fromLinked(const FunctionDecl *FD) {
  static const ChannelSummary Empty;
  const std::vector<ExternalEvent> *Evs =
      TU.Linked ? TU.Linked->events(usrOf(FD)) : nullptr;
  if (!Evs)
    return Empty;
  auto S = std::make_unique<ChannelSummary>();
  for (const ExternalEvent &E : *Evs) {
    std::optional<ObjectKey> K = resolveSummaryKey(E.Key, FD, TU.AST);
    if (!K || E.Kind < 0 || E.Kind > int(ChanOpKind::Escape))
      continue;
    ExternalOps.push_back({E.Where, E.Function});
    ChanEvent Ev{ChanOpKind(E.Kind), *K, nullptr, nullptr, nullptr, FD,
                 E.Handled};
    if (!E.Model.empty())
      Ev.Model = TU.Models.channelForType(E.Model);
    Ev.WaitsClose = E.WaitsClose;
    Ev.InLoop = E.InLoop;
    Ev.Ext = &ExternalOps.back();
    S->Events.push_back(std::move(Ev));
  }
  return *(Cache[FD] = std::move(S));
}

void SummaryCache::exportTo(llvm::ArrayRef<const FunctionDecl *> Functions,
                            TUSummaries &Out) {
  const SourceManager &SM = TU.AST.getSourceManager();
  for (const FunctionDecl *FD : Functions) {
    const ChannelSummary &S = get(FD);
    if (S.Events.empty() && S.ExternalCalls.empty())
      continue;
    ExternalSummary X;
    X.USR = usrOf(FD->getCanonicalDecl());
    X.Name = FD->getQualifiedNameAsString();
    if (X.USR.empty())
      continue;
    for (const ChanEvent &Ev : S.Events) {
      std::optional<SummaryKey> K =
          summaryKeyOf(Ev.Key, FD, {/*Globals=*/false, /*Ret=*/true});
      if (!K)
        continue;
      ExternalEvent E;
      E.Kind = int(Ev.Kind);
      E.Key = std::move(*K);
      if (Ev.Model && !Ev.Model->Types.empty())
        E.Model = Ev.Model->Types.front();
      if (Ev.Ext) {
        E.Where = Ev.Ext->Where;
        E.Function = Ev.Ext->Function;
      } else {
        E.Where = toSourcePoint(SM, Ev.opLoc());
        const FunctionDecl *In = Ev.Via ? Ev.Via : FD;
        if (const auto *MD = dyn_cast<CXXMethodDecl>(In);
            MD && MD->getParent()->isLambda())
          In = FD;
        E.Function = In->getQualifiedNameAsString();
      }
      E.Handled = Ev.Handled;
      E.WaitsClose = Ev.WaitsClose;
      E.InLoop = Ev.InLoop;
      X.Events.push_back(std::move(E));
    }
    for (const ExternalCallRec &C : S.ExternalCalls) {
      ExternalCall Call;
      Call.Callee = C.Callee;
      auto Spec = [&](const std::optional<ObjectKey> &K)
          -> std::optional<SummaryKey> {
        return K ? summaryKeyOf(*K, FD, {/*Globals=*/false, /*Ret=*/true})
                 : std::nullopt;
      };
      for (const auto &A : C.Args)
        Call.Args.push_back(Spec(A));
      Call.Object = Spec(C.Object);
      if (C.ObjectIsThis) {
        // this function's own `this`
        Call.Object = SummaryKey{SummaryKey::This, 0, {}, {}};
      }
      Call.Dest = Spec(C.Dest);
      X.Calls.push_back(std::move(Call));
    }
    Out.Functions.push_back(std::move(X));
  }
  // The same functions' facts travel in the same records.
  TU.facts().exportTo(Functions, Out);
  Out.ExternalCallees.assign(TU.ExternalCallees.begin(),
                             TU.ExternalCallees.end());
}

} // namespace tether
