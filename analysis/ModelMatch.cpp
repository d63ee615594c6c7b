#include "ModelMatch.h"
#include "ASTHelpers.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Basic/Builtins.h"

using namespace clang;

namespace tether {

const char *chanOpName(ChanOpKind K) {
  switch (K) {
  case ChanOpKind::Send: return "send";
  case ChanOpKind::Receive: return "receive";
  case ChanOpKind::TrySend: return "try-send";
  case ChanOpKind::TryReceive: return "try-receive";
  case ChanOpKind::TimedSend: return "timed send";
  case ChanOpKind::TimedReceive: return "timed receive";
  case ChanOpKind::Close: return "close";
  case ChanOpKind::IsClosed: return "is-closed";
  case ChanOpKind::IsOpen: return "is-open";
  case ChanOpKind::ReceiverCancel: return "cancel";
  case ChanOpKind::Escape: return "escape";
  }
  return "?";
}

std::string modelName(const NamedDecl *D) {
  if (!D)
    return {};
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(D))
    D = Spec->getSpecializedTemplate();
  if (const auto *FD = dyn_cast<FunctionDecl>(D))
    if (const FunctionTemplateDecl *T = FD->getPrimaryTemplate())
      D = T;
  return D->getQualifiedNameAsString();
}

static bool hasArrowOperator(const CXXRecordDecl *RD, int Depth = 0) {
  if (!RD || !RD->hasDefinition() || Depth > 4)
    return false;
  RD = RD->getDefinition();
  for (const CXXMethodDecl *M : RD->methods())
    if (M->getOverloadedOperator() == OO_Arrow)
      return true;
  for (const CXXBaseSpecifier &B : RD->bases())
    if (hasArrowOperator(B.getType()->getAsCXXRecordDecl(), Depth + 1))
      return true;
  return false;
}

const CXXRecordDecl *designatedRecord(QualType T) {
  if (T.isNull())
    return nullptr;
  T = T.getNonReferenceType().getCanonicalType();
  if (const auto *PT = T->getAs<PointerType>())
    T = PT->getPointeeType().getCanonicalType();
  const CXXRecordDecl *RD = T->getAsCXXRecordDecl();
  if (!RD)
    return nullptr;
  // Smart pointers: a template whose first argument is a type and which has
  // an operator-> designates that type.
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD)) {
    const TemplateArgumentList &Args = Spec->getTemplateArgs();
    if (Args.size() >= 1 && Args[0].getKind() == TemplateArgument::Type &&
        hasArrowOperator(RD))
      if (const CXXRecordDecl *Inner =
              Args[0].getAsType().getCanonicalType()->getAsCXXRecordDecl())
        return Inner;
  }
  return RD;
}

template <typename Lookup>
static auto lookupWithBases(const CXXRecordDecl *RD, Lookup L, int Depth = 0)
    -> decltype(L(std::string())) {
  if (!RD || Depth > 6)
    return nullptr;
  if (auto *Found = L(modelName(RD)))
    return Found;
  if (!RD->hasDefinition())
    return nullptr;
  for (const CXXBaseSpecifier &B : RD->getDefinition()->bases())
    if (auto *Found = lookupWithBases(B.getType()->getAsCXXRecordDecl(), L,
                                      Depth + 1))
      return Found;
  return nullptr;
}

const ChannelModel *channelModelOf(QualType T, const ModelSet &Models) {
  return lookupWithBases(designatedRecord(T), [&](const std::string &N) {
    return Models.channelForType(N);
  });
}

const SpawnModel *spawnModelOf(QualType T, const ModelSet &Models) {
  return lookupWithBases(designatedRecord(T), [&](const std::string &N) {
    return Models.spawnForType(N);
  });
}

// Cancellation types are values: only references are looked through (a
// pointer or shared_ptr to a source is shared state, not the source).
static const CXXRecordDecl *valueRecord(QualType T) {
  if (T.isNull())
    return nullptr;
  T = T.getNonReferenceType().getCanonicalType();
  if (T->isDependentType())
    return nullptr;
  return T->getAsCXXRecordDecl();
}

const CancelSourceModel *cancelSourceModelOf(QualType T,
                                             const ModelSet &Models) {
  return lookupWithBases(valueRecord(T), [&](const std::string &N) {
    return Models.cancelSourceForType(N);
  });
}

const CancelTokenModel *cancelTokenModelOf(QualType T,
                                           const ModelSet &Models) {
  return lookupWithBases(valueRecord(T), [&](const std::string &N) {
    return Models.cancelTokenForType(N);
  });
}

bool isCancelCallbackType(QualType T, const ModelSet &Models) {
  const CXXRecordDecl *RD = valueRecord(T);
  return RD && Models.isCancelCallbackType(modelName(RD));
}

bool isLanguageCast(const FunctionDecl *FD) {
  if (!FD || FD->getNumParams() != 1)
    return false;
  switch (FD->getBuiltinID()) {
  case Builtin::BImove:
  case Builtin::BIforward:
  case Builtin::BIas_const:
    return true;
  default:
    break;
  }
  return FD->isInStdNamespace() && FD->getIdentifier() &&
         (FD->getName() == "move" || FD->getName() == "forward" ||
          FD->getName() == "as_const");
}

bool returnsReferenceWrapper(const FunctionDecl *FD) {
  if (!FD || FD->getNumParams() != 1)
    return false;
  QualType P = FD->getParamDecl(0)->getType();
  if (!P->isLValueReferenceType())
    return false;
  QualType Obj = P.getNonReferenceType().getCanonicalType().getUnqualifiedType();
  const CXXRecordDecl *R = FD->getReturnType()->getAsCXXRecordDecl();
  if (!R || !R->hasDefinition())
    return false;
  for (const NamedDecl *D : R->getVisibleConversionFunctions())
    if (const auto *Conv = dyn_cast<CXXConversionDecl>(D->getUnderlyingDecl())) {
      QualType To = Conv->getConversionType();
      if (To->isLValueReferenceType() &&
          To.getNonReferenceType().getCanonicalType().getUnqualifiedType() ==
              Obj)
        return true;
    }
  return false;
}

const Expr *stripWrappers(const Expr *E) {
  // stripTemporaries, then what does not change the object either: static
  // casts, `*p`/`p->` on smart pointers, std::ref/move/forward, `&x`, `*p`.
  while (E) {
    const Expr *Prev = E;
    E = stripTemporaries(E);
    if (const auto *SC = dyn_cast<CXXStaticCastExpr>(E))
      E = SC->getSubExpr();
    else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
      // `*p` and `p.operator->()` on a smart pointer designate what p does.
      if ((Op->getOperator() == OO_Star || Op->getOperator() == OO_Arrow) &&
          Op->getNumArgs() == 1)
        E = Op->getArg(0);
    } else if (const auto *Call = dyn_cast<CallExpr>(E)) {
      if (Call->getNumArgs() == 1 &&
          (isLanguageCast(Call->getDirectCallee()) ||
           returnsReferenceWrapper(Call->getDirectCallee())))
        E = Call->getArg(0);
    } else if (const auto *UO = dyn_cast<UnaryOperator>(E)) {
      if (UO->getOpcode() == UO_AddrOf || UO->getOpcode() == UO_Deref)
        E = UO->getSubExpr();
    }
    if (E == Prev)
      break;
  }
  return E;
}

bool runsAllWork(const CallExpr *Call, const ModelSet &Models) {
  const auto *MC = dyn_cast_or_null<CXXMemberCallExpr>(Call);
  if (!MC)
    return false;
  const CXXMethodDecl *MD = MC->getMethodDecl();
  const Expr *Obj = MC->getImplicitObjectArgument();
  if (!MD || !MD->getIdentifier() || !Obj)
    return false;
  const CXXRecordDecl *RD =
      designatedRecord(Obj->IgnoreParenImpCasts()->getType());
  if (!RD)
    return false;
  const BlockingModel *B =
      Models.blockingForMethod(modelName(RD), MD->getName().str());
  return B && B->WaitsForWork;
}

const Expr *stripTemporaries(const Expr *E, StripOptions Opts) {
  while (E) {
    const Expr *Prev = E;
    E = E->IgnoreParenImpCasts();
    if (const auto *EWC = dyn_cast<ExprWithCleanups>(E))
      E = EWC->getSubExpr();
    else if (const auto *MT = dyn_cast<MaterializeTemporaryExpr>(E))
      E = MT->getSubExpr();
    else if (const auto *BT = dyn_cast<CXXBindTemporaryExpr>(E))
      E = BT->getSubExpr();
    else if (const auto *FC = dyn_cast<CXXFunctionalCastExpr>(E))
      E = FC->getSubExpr();
    else if (const auto *CE = dyn_cast<CXXConstructExpr>(E)) {
      if (CE->getNumArgs() == 1 && CE->getConstructor() &&
          (CE->getConstructor()->isCopyOrMoveConstructor() ||
           (Opts.CallableWrappers &&
            isa<LambdaExpr>(stripTemporaries(CE->getArg(0), Opts)))))
        E = CE->getArg(0);
    } else if (const auto *Call = dyn_cast<CallExpr>(E);
               Call && Opts.MoveForward) {
      // Casts the language defines, spelled as library functions.
      if (Call->getNumArgs() == 1 && isLanguageCast(Call->getDirectCallee()))
        E = Call->getArg(0);
    }
    if (E == Prev)
      break;
  }
  return E;
}

std::optional<CallShape> callShape(const Expr *E) {
  CallShape S;
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E)) {
    S.Callee = MC->getMethodDecl();
    S.Object = MC->getImplicitObjectArgument();
    S.IsMember = true;
  } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
    if (Op->getNumArgs() == 0)
      return std::nullopt;
    S.Callee = Op->getDirectCallee();
    S.Object = Op->getArg(0);
    S.IsMember = isa_and_nonnull<CXXMethodDecl>(S.Callee);
  } else if (const auto *Call = dyn_cast<CallExpr>(E)) {
    S.Callee = Call->getDirectCallee();
    if (Call->getNumArgs() > 0)
      S.Object = Call->getArg(0);
  } else {
    return std::nullopt;
  }
  if (!S.Callee)
    return std::nullopt;
  S.Name = S.Callee->getNameAsString();
  return S;
}

static bool contains(const std::vector<std::string> &V, const std::string &S) {
  for (const auto &X : V)
    if (X == S)
      return true;
  return false;
}

std::optional<ChanOp> matchChanOp(const Expr *E, const ModelSet &Models) {
  auto S = callShape(E);
  if (!S || !S->Object)
    return std::nullopt;
  // Look through derived-to-base casts: `q.close()` where close() is
  // inherited is still an operation on q's (model) type.
  const ChannelModel *M =
      channelModelOf(S->Object->IgnoreParenImpCasts()->getType(), Models);
  if (!M)
    return std::nullopt;
  static const std::pair<std::vector<std::string> ChannelModel::*, ChanOpKind>
      Table[] = {
          {&ChannelModel::Send, ChanOpKind::Send},
          {&ChannelModel::Receive, ChanOpKind::Receive},
          {&ChannelModel::TrySend, ChanOpKind::TrySend},
          {&ChannelModel::TryReceive, ChanOpKind::TryReceive},
          {&ChannelModel::TimedSend, ChanOpKind::TimedSend},
          {&ChannelModel::TimedReceive, ChanOpKind::TimedReceive},
          {&ChannelModel::Close, ChanOpKind::Close},
          {&ChannelModel::IsClosed, ChanOpKind::IsClosed},
          {&ChannelModel::IsOpen, ChanOpKind::IsOpen},
          {&ChannelModel::ReceiverCancel, ChanOpKind::ReceiverCancel},
      };
  for (const auto &[Field, Kind] : Table)
    if (contains(M->*Field, S->Name))
      return ChanOp{Kind, M, S->Object, E};
  return std::nullopt;
}

static const Expr *firstCallableArg(const Expr *const *Args, unsigned N,
                                    unsigned &Index) {
  for (unsigned I = 0; I < N; ++I) {
    QualType T = Args[I]->IgnoreParenImpCasts()->getType();
    if (T->isEnumeralType() || T->isIntegerType())
      continue; // std::launch policy, flags
    Index = I;
    return Args[I];
  }
  return nullptr;
}

static SpawnSite makeSite(const SpawnModel *M, const Expr *E,
                          const Expr *const *Args, unsigned N) {
  SpawnSite S{M, E, nullptr, {}, nullptr, nullptr};
  unsigned Index = 0;
  if (M->CallableArg >= 0) {
    if (unsigned(M->CallableArg) < N) {
      Index = M->CallableArg;
      S.Callable = Args[Index];
    }
  } else {
    S.Callable = firstCallableArg(Args, N, Index);
  }
  if (S.Callable)
    for (unsigned I = Index + 1; I < N; ++I)
      S.Args.push_back(Args[I]);
  return S;
}

// RD is the model type Type or derives from it.
static bool isOrDerivesFrom(const CXXRecordDecl *RD, llvm::StringRef Type) {
  return lookupWithBases(RD, [&](const std::string &N) -> const CXXRecordDecl * {
           return N == Type ? RD : nullptr;
         }) != nullptr;
}

const CXXMethodDecl *threadBodyOf(const CXXRecordDecl *RD,
                                  const SpawnModel &M) {
  for (int Depth = 0; RD && RD->hasDefinition() && Depth < 16; ++Depth) {
    RD = RD->getDefinition();
    if (modelName(RD) == M.Type)
      return nullptr;
    for (const CXXMethodDecl *MD : RD->methods())
      if (MD->getIdentifier() && MD->getName() == M.Body &&
          MD->getNumParams() == 0 && !MD->isStatic())
        return MD;
    // The path towards the model type: the base that is it or derives
    // from it.
    const CXXRecordDecl *Next = nullptr;
    for (const CXXBaseSpecifier &B : RD->bases())
      if (const CXXRecordDecl *BR = B.getType()->getAsCXXRecordDecl();
          BR && isOrDerivesFrom(BR, M.Type)) {
        Next = BR;
        break;
      }
    RD = Next;
  }
  return nullptr;
}

const ValueDecl *valueHolder(const Expr *Object) {
  const Expr *O = Object->IgnoreParenImpCasts();
  const ValueDecl *VD = nullptr;
  if (const auto *DR = dyn_cast<DeclRefExpr>(O))
    VD = DR->getDecl();
  else if (const auto *ME = dyn_cast<MemberExpr>(O);
           ME && (!ME->isArrow() ||
                  isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts())))
    VD = ME->getMemberDecl(); // `o.t_`, `this->t_` (written `t_`)
  if (!VD || VD->getType()->isReferenceType() ||
      VD->getType()->isPointerType())
    return nullptr;
  return VD;
}

// The override a start call on Object runs: known when a variable or member
// holds the object by value, so that its class is the object's dynamic
// class.
static const CXXMethodDecl *startedBody(const Expr *Object,
                                        const SpawnModel &M) {
  const ValueDecl *VD = valueHolder(Object);
  return VD ? threadBodyOf(VD->getType()->getAsCXXRecordDecl(), M) : nullptr;
}

const FunctionDecl *spawnBody(const SpawnSite &S) {
  if (S.Started) {
    const FunctionDecl *Def = nullptr;
    if (S.BodyMethod && S.BodyMethod->hasBody(Def))
      return Def;
    return nullptr;
  }
  return calleeBody(S.Callable);
}

// `t.wait(500)`: the timeout the blocking model names is passed, so the
// call returns on its own (a default argument waits forever).
static bool timeoutPassed(const CallExpr *Call, const BlockingModel &B) {
  if (B.TimeoutArg < 0)
    return false;
  unsigned I = unsigned(B.TimeoutArg);
  // A member operator call passes the object as its first argument.
  if (isa<CXXOperatorCallExpr>(Call) &&
      isa_and_nonnull<CXXMethodDecl>(Call->getDirectCallee()))
    ++I;
  return I < Call->getNumArgs() &&
         !isa<CXXDefaultArgExpr>(Call->getArg(I)->IgnoreImplicit());
}

std::optional<SpawnSite> matchSpawn(const Expr *E, const ModelSet &Models) {
  if (const auto *CE = dyn_cast<CXXConstructExpr>(E)) {
    if (CE->getNumArgs() == 0 || CE->getConstructor()->isCopyOrMoveConstructor())
      return std::nullopt;
    // The handle itself, not a pointer to one: `shared_ptr<thread> p(new
    // thread(f))` starts one thread, the inner construction.
    const CXXRecordDecl *RD =
        CE->getType().getCanonicalType()->getAsCXXRecordDecl();
    if (const SpawnModel *M = lookupWithBases(RD, [&](const std::string &N) {
          return Models.spawnForType(N);
        });
        M && M->Start.empty()) // a thread object starts later, by a method
      return makeSite(M, CE, CE->getArgs(), CE->getNumArgs());
    return std::nullopt;
  }
  auto S = callShape(E);
  if (!S)
    return std::nullopt;
  const auto *Call = cast<CallExpr>(E);
  if (!S->IsMember) {
    if (const SpawnModel *M = Models.spawnForFunction(modelName(S->Callee)))
      return makeSite(M, E, Call->getArgs(), Call->getNumArgs());
    return std::nullopt;
  }
  // Pool submit methods.
  if (const CXXRecordDecl *RD =
          designatedRecord(S->Object->IgnoreParenImpCasts()->getType())) {
    const SpawnModel *M = lookupWithBases(RD, [&](const std::string &N) {
      return Models.spawnForType(N);
    });
    if (M && contains(M->Methods, S->Name))
      return makeSite(M, E, Call->getArgs(), Call->getNumArgs());
    if (M && contains(M->Start, S->Name) && isa<CXXMemberCallExpr>(Call)) {
      SpawnSite Site = makeSite(M, E, nullptr, 0);
      Site.Started = cast<CXXMemberCallExpr>(Call)->getImplicitObjectArgument();
      Site.BodyMethod = startedBody(Site.Started, *M);
      return Site;
    }
    // Containers of handles: workers.emplace_back(callable).
    if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD)) {
      const TemplateArgumentList &TA = Spec->getTemplateArgs();
      if (TA.size() >= 1 && TA[0].getKind() == TemplateArgument::Type &&
          Models.follows(ModelSet::Convention::Emplace, S->Name))
        if (const SpawnModel *HM = spawnModelOf(TA[0].getAsType(), Models);
            HM && HM->Start.empty())
          if (Call->getNumArgs() > 0 &&
              !spawnModelOf(Call->getArg(0)->getType(), Models))
            return makeSite(HM, E, Call->getArgs(), Call->getNumArgs());
    }
  }
  return std::nullopt;
}

const LockModel *mutexModelOf(QualType T, const ModelSet &Models) {
  return lookupWithBases(designatedRecord(T), [&](const std::string &N) {
    return Models.lockForMutexType(N);
  });
}

bool isGuardType(QualType T, const ModelSet &Models) {
  if (T.isNull())
    return false;
  const CXXRecordDecl *RD =
      T.getNonReferenceType().getCanonicalType()->getAsCXXRecordDecl();
  return RD && Models.isLockGuardType(modelName(RD));
}

bool isTimeoutType(QualType T, const ModelSet &Models) {
  if (T.isNull())
    return false;
  T = T.getNonReferenceType();
  std::string N;
  // `std::chrono::duration<Rep, Period>` in a template: not a record yet.
  if (const auto *TST = T->getAs<TemplateSpecializationType>();
      TST && !TST->isTypeAlias())
    if (const TemplateDecl *TD = TST->getTemplateName().getAsTemplateDecl())
      N = TD->getQualifiedNameAsString();
  if (N.empty())
    if (const CXXRecordDecl *RD = T.getCanonicalType()->getAsCXXRecordDecl())
      N = modelName(RD);
  return !N.empty() &&
         (Models.isDurationType(N) || Models.isTimePointType(N));
}

ModelSet::LockTag lockTagOf(QualType T, const ModelSet &Models) {
  const CXXRecordDecl *RD = valueRecord(T);
  return RD ? Models.lockTagForType(modelName(RD)) : ModelSet::LockTag::None;
}

bool isGuardOwnsQuery(const CXXMethodDecl *MD, const ModelSet &Models) {
  return MD && MD->getIdentifier() &&
         Models.isGuardOwnsQuery(MD->getName().str());
}

std::optional<BlockingOp> matchBlockingOp(const Expr *E,
                                          const ModelSet &Models) {
  if (!isa<CallExpr>(E))
    return std::nullopt;
  BlockingOp Op;
  Op.Call = E;
  if (auto C = matchChanOp(E, Models)) {
    if (C->Kind == ChanOpKind::Receive) {
      Op.What = "channel receive";
    } else if (C->Kind == ChanOpKind::Send && C->Model->Bounded) {
      Op.What = "channel send";
    } else {
      return std::nullopt; // try/timed ops, close, sends that never block
    }
    Op.Object = C->Object;
    return Op;
  }
  auto S = callShape(E);
  if (!S)
    return std::nullopt;
  if (auto H = matchHandleOp(E, Models)) {
    if (H->Kind != HandleOpKind::Join)
      return std::nullopt;
    Op.What = H->Model ? "thread join" : "future wait";
    Op.Object = H->Object;
    return Op;
  }
  const BlockingModel *B = nullptr;
  if (S->IsMember && S->Object) {
    // Futures' timed waits are listed as blocking by some models; the future
    // model says which ones return after a timeout.
    const CXXRecordDecl *RD =
        designatedRecord(S->Object->IgnoreParenImpCasts()->getType());
    if (RD)
      if (const FutureModel *F = Models.futureForType(modelName(RD)))
        if (contains(F->TimedWait, S->Name))
          return std::nullopt;
    B = lookupWithBases(RD, [&](const std::string &N) {
      return Models.blockingForMethod(N, S->Name);
    });
    Op.Object = S->Object;
  } else {
    B = Models.blockingForFunction(modelName(S->Callee));
  }
  if (!B)
    return std::nullopt;
  const auto *Call = cast<CallExpr>(E);
  if (timeoutPassed(Call, *B))
    return std::nullopt;
  Op.What = B->Reason.empty() ? "blocking call" : B->Reason;
  Op.NeverReturns = B->NeverReturns;
  for (const Expr *A : Call->arguments()) {
    QualType T = A->IgnoreParenImpCasts()->getType();
    if (isGuardType(T, Models) || mutexModelOf(T, Models))
      Op.Released.push_back(A);
  }
  return Op;
}

static std::string methodName(const CXXMemberCallExpr *Call) {
  const CXXMethodDecl *MD = Call ? Call->getMethodDecl() : nullptr;
  return MD && MD->getIdentifier() ? MD->getName().str() : std::string();
}

bool isHandleQuery(const CXXMemberCallExpr *Call, const ModelSet &Models) {
  std::string Name = methodName(Call);
  if (Name.empty())
    return false;
  QualType T =
      Call->getImplicitObjectArgument()->IgnoreParenImpCasts()->getType();
  if (const SpawnModel *M = spawnModelOf(T, Models))
    return contains(M->Joinable, Name);
  if (const CXXRecordDecl *RD = designatedRecord(T))
    if (const FutureModel *F = Models.futureForType(modelName(RD)))
      return contains(F->Valid, Name);
  return false;
}

bool isPoolWaitAll(const CXXMemberCallExpr *Call, const SpawnModel &Pool) {
  std::string Name = methodName(Call);
  return !Name.empty() && matchesAnyGlob(Pool.WaitAll, Name);
}

bool followsConvention(const FunctionDecl *FD, ModelSet::Convention C,
                       const ModelSet &Models) {
  return FD && FD->getIdentifier() && Models.follows(C, FD->getName().str());
}

bool calleeFollows(const CallExpr *Call, ModelSet::Convention C,
                   const ModelSet &Models) {
  return Call && followsConvention(Call->getDirectCallee(), C, Models);
}

bool isContainerInsert(const CallExpr *Call, const ModelSet &Models) {
  const auto *MC = dyn_cast_or_null<CXXMemberCallExpr>(Call);
  return MC && followsConvention(MC->getMethodDecl(),
                                 ModelSet::Convention::Insert, Models);
}

bool isElementAccess(const CXXMethodDecl *MD, const ModelSet &Models) {
  if (!MD)
    return false;
  // Subscripting is the language's own element access.
  if (MD->getOverloadedOperator() == OO_Subscript)
    return true;
  return followsConvention(MD, ModelSet::Convention::ElementAccess, Models);
}

bool isSharedOwnerType(QualType T, const ModelSet &Models) {
  const CXXRecordDecl *RD = valueRecord(T);
  if (!RD || !RD->getIdentifier())
    return false;
  const SmartPointerModel *P = Models.smartPointerForType(modelName(RD));
  return P && P->Shared;
}

static std::string calleeName(const CallExpr *Call) {
  const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
  return FD && FD->getIdentifier() ? modelName(FD) : std::string();
}

const SmartPointerModel *smartPointerFactoryCall(const CallExpr *Call,
                                                 const ModelSet &Models,
                                                 bool *Allocates) {
  std::string N = calleeName(Call);
  return N.empty() ? nullptr : Models.smartPointerFactory(N, Allocates);
}

// A wrapper the models list, or one its declarations show: the same
// answer stripWrappers gives.
bool isReferenceWrapperCall(const CallExpr *Call, const ModelSet &Models) {
  std::string N = calleeName(Call);
  return !N.empty() && (Models.isReferenceWrapperFunction(N) ||
                        (Call->getNumArgs() == 1 &&
                         returnsReferenceWrapper(Call->getDirectCallee())));
}

bool isForEachCall(const CallExpr *Call, const ModelSet &Models) {
  std::string N = calleeName(Call);
  return !N.empty() && Models.isForEachFunction(N);
}

bool isFixedSizeContainerType(QualType T, const ModelSet &Models) {
  const CXXRecordDecl *RD = valueRecord(T);
  return RD && Models.isFixedSizeContainer(modelName(RD));
}

bool isOptionalType(QualType T, const ModelSet &Models) {
  const CXXRecordDecl *RD = valueRecord(T);
  return RD && RD->getIdentifier() && Models.isOptionalType(modelName(RD));
}

bool isStreamType(QualType T, const ModelSet &Models) {
  const CXXRecordDecl *RD = valueRecord(T);
  return lookupWithBases(RD, [&](const std::string &N) {
           return Models.isStreamBase(N) ? RD : nullptr;
         }) != nullptr;
}

bool isSuccessStatus(const EnumConstantDecl *EC, const ChannelModel &M) {
  return EC && EC->getIdentifier() && contains(M.Success, EC->getName().str());
}

const InterruptibleWaitModel *interruptibleWaitOf(const CXXMethodDecl *MD,
                                                  const ModelSet &Models) {
  if (!MD || !MD->getIdentifier())
    return nullptr;
  std::string Type = modelName(MD->getParent());
  for (const ApiModel &M : Models.models())
    for (const InterruptibleWaitModel &W : M.Cancellation.InterruptibleWaits)
      if (W.Type == Type && contains(W.Methods, MD->getName().str()))
        return &W;
  return nullptr;
}

std::optional<HandleOp> matchHandleOp(const Expr *E, const ModelSet &Models) {
  const auto *MC = dyn_cast<CXXMemberCallExpr>(E);
  if (!MC || !MC->getMethodDecl())
    return std::nullopt;
  std::string Name = MC->getMethodDecl()->getNameAsString();
  const Expr *Obj = MC->getImplicitObjectArgument();
  QualType ObjType = Obj->IgnoreParenImpCasts()->getType();
  if (const SpawnModel *M = spawnModelOf(ObjType, Models)) {
    if (contains(M->Join, Name)) {
      // `thread.wait(500)` (QThread): returns at the timeout, not a join.
      if (const BlockingModel *B = lookupWithBases(
              designatedRecord(ObjType), [&](const std::string &N) {
                return Models.blockingForMethod(N, Name);
              });
          B && timeoutPassed(MC, *B))
        return std::nullopt;
      return HandleOp{HandleOpKind::Join, M, Obj};
    }
    if (contains(M->Detach, Name))
      return HandleOp{HandleOpKind::Detach, M, Obj};
  }
  if (const CXXRecordDecl *RD = designatedRecord(ObjType))
    if (const FutureModel *F = Models.futureForType(modelName(RD)))
      if (contains(F->Wait, Name))
        return HandleOp{HandleOpKind::Join, nullptr, Obj};
  return std::nullopt;
}

} // namespace tether
