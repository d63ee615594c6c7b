// cancel-uninterruptible-wait: code that has a stop token in scope blocks in
// a wait that a stop request cannot interrupt: a condition-variable wait
// without the token, a channel receive on a channel nobody closes, a long
// sleep, a future's get()/wait() without a timed poll first.
// See docs/checks/cancel-uninterruptible-wait.md.
#include "core/Check.h"
#include "ASTHelpers.h"
#include "CancelSource.h"
#include "LockState.h"
#include "ModelMatch.h"
#include "ObjectKey.h"
#include "StopPaths.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

#include <map>
#include <set>

using namespace clang;

namespace tether {
namespace {

// The variable or member an object expression designates (`cv_`,
// `this->cv_`, `*ch`, `ch->`), or null.
const ValueDecl *objectDecl(const Expr *E) {
  if (!E)
    return nullptr;
  E = stripWrappers(E);
  if (const auto *ME = dyn_cast<MemberExpr>(E))
    return isa<FieldDecl, VarDecl>(ME->getMemberDecl()) ? ME->getMemberDecl()
                                                         : nullptr;
  if (const auto *DR = dyn_cast<DeclRefExpr>(E))
    return dyn_cast<VarDecl>(DR->getDecl());
  return nullptr;
}

// A record that is not callable: a duration or a time point, not a
// predicate.
bool isTimeArg(QualType T) {
  const CXXRecordDecl *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
  if (!RD || RD->isLambda())
    return false;
  if (!RD->hasDefinition())
    return true;
  for (const CXXMethodDecl *M : RD->getDefinition()->methods())
    if (M->getOverloadedOperator() == OO_Call)
      return false;
  return true;
}

// The body of a predicate argument: a lambda, or a local variable holding
// one.
const Stmt *lambdaBody(const Expr *A) {
  const Expr *S = stripWrappers(A);
  if (const auto *L = dyn_cast<LambdaExpr>(S))
    return L->getBody();
  if (const auto *DR = dyn_cast<DeclRefExpr>(S))
    if (const auto *VD = dyn_cast<VarDecl>(DR->getDecl()))
      if (VD->hasInit())
        if (const auto *L = dyn_cast<LambdaExpr>(stripWrappers(VD->getInit())))
          return L->getBody();
  return nullptr;
}

// What the TU does with condition variables, channels and stop callbacks.
struct TUIndex {
  // Every reference to a variable or member (canonical decl), and the ones
  // that are the object of a member call / channel operation, by name of
  // the method called.
  std::map<const Decl *, std::vector<const Expr *>> Refs;
  std::map<const Expr *, std::string> ObjectOf; // ref -> method called
  std::set<const Expr *> Covered; // refs whose use is understood
  std::set<const Decl *> Closed;  // channels closed/cancelled somewhere
  std::set<const Decl *> NotifiedOnStop; // cvs a stop callback notifies
  std::map<const Decl *, int> PlainWaits; // token-less untimed waits
};

class Indexer : public RecursiveASTVisitor<Indexer> {
public:
  Indexer(ASTContext &AST, const ModelSet &Models, const StopPaths &SP,
          TUIndex &Out)
      : SM(AST.getSourceManager()), Models(Models), SP(SP), Out(Out) {
    for (const ApiModel &M : Models.models())
      for (const std::string &C : M.Cancellation.Callbacks)
        Callbacks.insert(C);
  }
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitLambdaBodies() const { return true; }

  bool TraverseDecl(Decl *D) {
    if (D && !isa<TranslationUnitDecl>(D) && inSystemHeader(SM, D->getLocation()))
      return true;
    return RecursiveASTVisitor::TraverseDecl(D);
  }

  bool VisitLambdaExpr(LambdaExpr *L) {
    // A capture copies or refers to the object: not a use of its own.
    for (const Expr *Init : L->capture_inits())
      if (Init)
        Out.Covered.insert(stripWrappers(Init));
    return true;
  }
  bool VisitDeclRefExpr(DeclRefExpr *DR) {
    if (const auto *VD = dyn_cast<VarDecl>(DR->getDecl()))
      Out.Refs[canonicalDecl(VD)].push_back(DR);
    return true;
  }
  bool VisitMemberExpr(MemberExpr *ME) {
    if (isa<FieldDecl, VarDecl>(ME->getMemberDecl()))
      Out.Refs[canonicalDecl(ME->getMemberDecl())].push_back(ME);
    return true;
  }
  bool VisitCXXForRangeStmt(CXXForRangeStmt *RF) {
    if (const Expr *Init = RF->getRangeInit())
      if (channelModelOf(Init->getType(), Models))
        Out.Covered.insert(stripWrappers(Init));
    return true;
  }
  bool VisitCXXConstructExpr(CXXConstructExpr *CE) {
    const CXXRecordDecl *RD = CE->getType()->getAsCXXRecordDecl();
    if (!RD || !Callbacks.count(modelName(RD)) || CE->getNumArgs() < 2)
      return true;
    // std::stop_callback cb(token, [&] { cv.notify_all(); });
    const Stmt *Body = lambdaBody(CE->getArg(CE->getNumArgs() - 1));
    if (Body)
      notifies(Body);
    return true;
  }
  bool VisitCallExpr(CallExpr *C) {
    if (auto Op = matchChanOp(C, Models)) {
      const Expr *Obj = stripWrappers(Op->Object);
      Out.Covered.insert(Obj);
      if (Op->Kind == ChanOpKind::Close ||
          Op->Kind == ChanOpKind::ReceiverCancel)
        if (const ValueDecl *D = objectDecl(Obj))
          Out.Closed.insert(canonicalDecl(D));
      return true;
    }
    const auto *MC = dyn_cast<CXXMemberCallExpr>(C);
    if (!MC || !MC->getMethodDecl() || !MC->getImplicitObjectArgument())
      return true;
    const Expr *Obj = stripWrappers(MC->getImplicitObjectArgument());
    Out.ObjectOf[Obj] = MC->getMethodDecl()->getNameAsString();
    if (auto B = matchBlockingOp(C, Models);
        B && !B->Released.empty() && isPlainWait(C, *B))
      if (const ValueDecl *D = objectDecl(Obj))
        ++Out.PlainWaits[canonicalDecl(D)];
    return true;
  }

  // A wait that neither takes a token nor times out.
  bool isPlainWait(const CallExpr *C, const BlockingOp &Op) const {
    for (const Expr *A : C->arguments()) {
      if (SP.isTokenType(A->getType()))
        return false;
      if (isTimeArg(A->getType()) && !llvm::is_contained(Op.Released, A))
        return false;
    }
    return true;
  }

private:
  void notifies(const Stmt *S) {
    if (!S)
      return;
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S))
      if (const CXXMethodDecl *MD = MC->getMethodDecl())
        if (followsConvention(MD, ModelSet::Convention::Wake, Models))
          if (const ValueDecl *D =
                  objectDecl(MC->getImplicitObjectArgument()))
            Out.NotifiedOnStop.insert(canonicalDecl(D));
    for (const Stmt *C : S->children())
      notifies(C);
  }

  const SourceManager &SM;
  const ModelSet &Models;
  const StopPaths &SP;
  TUIndex &Out;
  std::set<std::string> Callbacks;
};

class CancelUninterruptibleWaitCheck : public Check {
public:
  const CheckInfo &info() const override {
    static const CheckInfo Info{
        "cancel-uninterruptible-wait",
        "Code with a stop token blocks in a wait that a stop request cannot "
        "interrupt.",
        "A stop request only reaches code that looks at the token. A "
        "std::condition_variable wait, a receive on a channel that nobody "
        "closes, a long sleep or a future's get() keep the thread blocked "
        "after stop was requested, and whoever joins it waits too. Use "
        "std::condition_variable_any::wait(lock, token, pred), close the "
        "channel on the stop path (a std::stop_callback), sleep in short "
        "steps or wait on the condition variable with the token, poll the "
        "future with wait_for.",
        Severity::Warning,
        {{"max_sleep_ms", OptionType::Integer, "1000",
          "longest constant sleep not reported, in milliseconds"}}};
    return Info;
  }

  void checkFunction(FunctionContext &Ctx) override {
    const FunctionDecl *FD = Ctx.function();
    if (!FD->getBody())
      return;
    const ModelSet &Models = Ctx.tu().Models;
    if (!SP)
      SP = std::make_unique<StopPaths>(Ctx.ast(), Models);
    const ValueDecl *Token = tokenInScope(FD, Models);
    if (!Token)
      return;
    if (!Index) {
      Index = std::make_unique<TUIndex>();
      Indexer I(Ctx.ast(), Models, *SP, *Index);
      I.TraverseDecl(Ctx.ast().getTranslationUnitDecl());
    }
    std::vector<const Stmt *> Ops;
    collect(FD->getBody(), Ops);
    ParentMap PM(const_cast<Stmt *>(FD->getBody()));
    for (const Stmt *S : Ops) {
      if (const auto *RF = dyn_cast<CXXForRangeStmt>(S)) {
        checkReceive(Ctx, Token, RF->getRangeInit(), RF, "range-for over");
        continue;
      }
      const auto *C = cast<CallExpr>(S);
      if (auto Op = matchChanOp(C, Models)) {
        if (Op->Kind == ChanOpKind::Receive)
          checkReceive(Ctx, Token, Op->Object, C, "receive on");
        continue;
      }
      auto B = matchBlockingOp(C, Models);
      if (!B)
        continue;
      if (!B->Released.empty())
        checkCondWait(Ctx, Token, C, *B, PM);
      else if (B->What == "sleep")
        checkSleep(Ctx, Token, C);
      else if (B->What == "future wait")
        checkFuture(Ctx, Token, C, *B, Ops);
    }
  }

private:
  // A stop token the function can see: a parameter, a lambda capture, or a
  // local variable.
  const ValueDecl *tokenInScope(const FunctionDecl *FD,
                                const ModelSet &Models) const {
    for (const ParmVarDecl *P : FD->parameters())
      if (SP->isTokenType(P->getType()))
        return P;
    if (const auto *MD = dyn_cast<CXXMethodDecl>(FD);
        MD && MD->getParent()->isLambda())
      for (const LambdaCapture &C : MD->getParent()->captures())
        if (C.capturesVariable())
          if (const ValueDecl *V = C.getCapturedVar();
              V && SP->isTokenType(V->getType()))
            return V;
    const ValueDecl *Found = nullptr;
    findLocalToken(FD->getBody(), FD->getBody(), Models, Found);
    return Found;
  }
  // A local token, unless it comes from a source only this function
  // requests stop on: then this function is the one that stops, and no
  // request can arrive while it waits.
  void findLocalToken(const Stmt *Body, const Stmt *S, const ModelSet &Models,
                      const ValueDecl *&Found) const {
    if (!S || Found || isa<LambdaExpr>(S))
      return;
    if (const auto *DS = dyn_cast<DeclStmt>(S))
      for (const Decl *D : DS->decls())
        if (const auto *VD = dyn_cast<VarDecl>(D);
            VD && SP->isTokenType(VD->getType()) && !Found &&
            !ownSourceOfToken(Body, VD, Models))
          Found = VD;
    for (const Stmt *C : S->children())
      findLocalToken(Body, C, Models, Found);
  }

  static void collect(const Stmt *S, std::vector<const Stmt *> &Out) {
    if (!S || isa<LambdaExpr>(S))
      return;
    if (isa<CallExpr>(S) || isa<CXXForRangeStmt>(S))
      Out.push_back(S);
    for (const Stmt *C : S->children())
      collect(C, Out);
  }

  static std::string nameOf(const ValueDecl *D) {
    return D && D->getIdentifier() ? D->getName().str() : std::string();
  }

  static SourceLocation callLoc(const CallExpr *C) {
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(C))
      if (MC->getImplicitObjectArgument())
        return MC->getBeginLoc();
    return C->getBeginLoc();
  }

  void tokenNote(DiagBuilder &D, const ValueDecl *Token) {
    std::string N = nameOf(Token);
    D.note(Token->getLocation(), N.empty() ? "stop token in scope here"
                                           : "stop token '" + N +
                                                 "' in scope here");
  }

  // -- condition variables -------------------------------------------------
  void checkCondWait(FunctionContext &Ctx, const ValueDecl *Token,
                     const CallExpr *C, const BlockingOp &B, ParentMap &PM) {
    const auto *MC = dyn_cast<CXXMemberCallExpr>(C);
    if (!MC || !MC->getMethodDecl())
      return;
    const Expr *Pred = nullptr;
    for (const Expr *A : C->arguments()) {
      if (SP->isTokenType(A->getType()))
        return; // wait(lk, st, pred): a stop request wakes it
      if (llvm::is_contained(B.Released, A))
        continue;
      if (isTimeArg(A->getType()))
        return; // timed: wakes up by itself
      Pred = A;
    }
    const ValueDecl *Cv = objectDecl(MC->getImplicitObjectArgument());
    const Decl *CvKey = Cv ? canonicalDecl(Cv) : nullptr;
    const Stmt *PredBody = Pred ? lambdaBody(Pred) : nullptr;
    if (Pred && !PredBody)
      return; // a predicate we cannot see into
    // What tells the waiter about stop: its predicate, or the loop around a
    // wait without predicate.
    std::optional<StopQuery> Q;
    if (PredBody)
      Q = SP->findStopQuery(PredBody);
    else
      for (const Stmt *P = PM.getParent(C); P && !Q; P = PM.getParent(P))
        if (isa<WhileStmt, ForStmt, DoStmt>(P))
          if (auto X = SP->loopHasStopExit(P, Ctx.function());
              X && X->Driver <= StopDriver::StopFlag && X->DrivenBy)
            Q = StopQuery{X->Driver, X->DrivenBy, nullptr};
    // A hand-rolled flag (or an interruption point) is a stop path of its
    // own: whoever sets it notifies. Whether it is tied to the token is not
    // visible, so stay quiet.
    if (Q && Q->Kind != StopDriver::TokenQuery &&
        Q->Kind != StopDriver::SourceQuery)
      return;
    // A std::stop_callback notifies this condition variable: the wait wakes
    // on stop, and its predicate (or loop) sees the token or whatever state
    // the callback set before notifying. Whether the callback makes a
    // predicate without token true is not checked: when unsure, quiet.
    bool Notified = CvKey && Index->NotifiedOnStop.count(CvKey);
    if (Notified && (Q || PredBody))
      return;
    const CXXRecordDecl *CvType =
        designatedRecord(MC->getImplicitObjectArgument()->getType());
    // The cv's own model has token overloads (std::condition_variable_any),
    // or one replaces it (std::condition_variable).
    bool Interruptible = false;
    const InterruptibleWaitModel *Replacement = nullptr;
    if (CvType)
      for (const ApiModel &M : Ctx.tu().Models.models())
        for (const InterruptibleWaitModel &W : M.Cancellation.InterruptibleWaits) {
          if (W.Type == modelName(CvType))
            Interruptible = true;
          if (llvm::is_contained(W.Replaces, modelName(CvType)))
            Replacement = &W;
        }
    std::string CvName = nameOf(Cv);
    std::string What = CvName.empty() ? "the condition variable"
                                      : "'" + CvName + "'";
    std::string TokName = nameOf(Token);
    std::string Msg;
    if (Interruptible)
      Msg = "wait on " + What + " does not pass the stop token" +
            (TokName.empty() ? "" : " '" + TokName + "'") +
            ": a stop request cannot interrupt it; use wait(lock, token, "
            "pred)";
    else
      Msg = "wait on " + What + " (" +
            (CvType ? modelName(CvType) : std::string("condition variable")) +
            ") cannot be interrupted by a stop request; use " +
            (Replacement ? Replacement->Type
                         : std::string("a condition variable whose wait "
                                       "takes the token,")) +
            " and wait(lock, token, pred)";
    DiagBuilder D = Ctx.report(info(), callLoc(C), Msg, C);
    D.range(C->getSourceRange());
    tokenNote(D, Token);
    if (Q)
      D.note(Q->Expr->getBeginLoc(),
             "stop is checked here, but no std::stop_callback notifies " +
                 What + " when stop is requested");
    if (PredBody && !TokName.empty())
      fixIt(Ctx, D, B, Cv, CvKey, CvType, Interruptible ? nullptr : Replacement,
            Interruptible, TokName);
  }

  // condition_variable -> condition_variable_any and the token passed to
  // the wait, when the variable is declared in this file and every use of
  // it is a wait or a notify.
  void fixIt(FunctionContext &Ctx, DiagBuilder &D, const BlockingOp &B,
             const ValueDecl *Cv, const Decl *CvKey, const CXXRecordDecl *CvType,
             const InterruptibleWaitModel *Replacement, bool Interruptible,
             const std::string &TokName) {
    if (!Cv || !CvKey || !CvType || B.Released.size() != 1 ||
        (!Interruptible && !Replacement))
      return;
    const SourceManager &SM = Ctx.ast().getSourceManager();
    const LangOptions &LO = Ctx.ast().getLangOpts();
    const auto *DD = dyn_cast<DeclaratorDecl>(CvKey);
    if (!DD || !SM.isInMainFile(SM.getExpansionLoc(DD->getLocation())))
      return;
    if (DD->getDeclContext()->isDependentContext() &&
        !isa<FieldDecl>(DD))
      return;
    // Every use is a wait or a wake (which the replacement has too), and
    // this is the only wait without token.
    const ModelSet &Models = Ctx.tu().Models;
    std::string CvName = modelName(CvType);
    auto Compatible = [&](const std::string &Method) {
      return Models.blockingForMethod(CvName, Method) ||
             Models.follows(ModelSet::Convention::Wake, Method);
    };
    auto Refs = Index->Refs.find(CvKey);
    if (Refs == Index->Refs.end())
      return;
    for (const Expr *R : Refs->second) {
      if (Index->Covered.count(R))
        continue; // a lambda capture
      auto It = Index->ObjectOf.find(R);
      if (It == Index->ObjectOf.end() || !Compatible(It->second))
        return;
    }
    if (Index->PlainWaits[CvKey] != 1)
      return;
    const Expr *Lock = B.Released.front();
    CharSourceRange LockR = Lexer::makeFileCharRange(
        CharSourceRange::getTokenRange(Lock->getSourceRange()), SM, LO);
    if (LockR.isInvalid())
      return;
    std::string LockText = Lexer::getSourceText(LockR, SM, LO).str();
    if (LockText.empty())
      return;
    if (!Interruptible) {
      TypeSourceInfo *TSI = DD->getTypeSourceInfo();
      if (!TSI)
        return;
      CharSourceRange TypeR = Lexer::makeFileCharRange(
          CharSourceRange::getTokenRange(TSI->getTypeLoc().getSourceRange()),
          SM, LO);
      if (TypeR.isInvalid())
        return;
      // Spelled qualified (`std::condition_variable`) or, under a
      // using-directive, by its last name when the replacement lives in the
      // same namespace.
      llvm::StringRef TypeText = Lexer::getSourceText(TypeR, SM, LO);
      llvm::StringRef From(CvName), To(Replacement->Type);
      auto [FromNs, FromLast] = From.rsplit("::");
      auto [ToNs, ToLast] = To.rsplit("::");
      std::string NewText;
      if (TypeText == From)
        NewText = To.str();
      else if (TypeText == FromLast && FromNs == ToNs)
        NewText = ToLast.str();
      else
        return;
      D.fixReplace(TypeR, NewText);
    }
    D.fixReplace(LockR, LockText + ", " + TokName);
  }

  // -- channels ------------------------------------------------------------
  void checkReceive(FunctionContext &Ctx, const ValueDecl *Token,
                    const Expr *Object, const Stmt *Site,
                    const char *Verb) {
    if (!Object)
      return;
    const Expr *Obj = stripWrappers(Object);
    const ValueDecl *Ch = objectDecl(Obj);
    if (!Ch)
      return;
    const SourceManager &SM = Ctx.ast().getSourceManager();
    // Only channels whose every use is visible: a local, or a member of a
    // class of this file.
    if (const auto *VD = dyn_cast<VarDecl>(Ch)) {
      if (!VD->hasLocalStorage() || isa<ParmVarDecl>(VD))
        return;
    } else if (!SM.isInMainFile(SM.getExpansionLoc(Ch->getLocation()))) {
      return;
    }
    const Decl *Key = canonicalDecl(Ch);
    if (Index->Closed.count(Key))
      return;
    auto Refs = Index->Refs.find(Key);
    if (Refs == Index->Refs.end())
      return;
    for (const Expr *R : Refs->second)
      if (!Index->Covered.count(R))
        return; // handed somewhere else: it may be closed there
    std::string Name = nameOf(Ch);
    const ChannelModel *M = channelModelOf(Obj->getType(), Ctx.tu().Models);
    std::string Msg = std::string(Verb) + " channel '" + Name +
                      "' cannot be interrupted by a stop request: nothing "
                      "closes the channel";
    if (M && !M->Close.empty())
      Msg += " (close it from a std::stop_callback, or use a timed receive)";
    SourceLocation Loc = Site->getBeginLoc();
    const Stmt *Anchor = Site;
    if (const auto *RF = dyn_cast<CXXForRangeStmt>(Site)) {
      Loc = RF->getBeginLoc();
      Anchor = RF->getRangeInit();
    }
    DiagBuilder D = Ctx.report(info(), Loc, Msg, Anchor);
    tokenNote(D, Token);
    D.note(Ch->getLocation(), "channel declared here");
  }

  // -- sleeps --------------------------------------------------------------
  // Milliseconds of a constant duration expression, if it is one.
  static std::optional<double> constantMs(const Expr *E, ASTContext &AST,
                                          const ModelSet &Models) {
    if (!E || E->isValueDependent())
      return std::nullopt;
    E = E->IgnoreParenImpCasts();
    if (const auto *MT = dyn_cast<MaterializeTemporaryExpr>(E))
      E = MT->getSubExpr()->IgnoreParenImpCasts();
    // now() + d: the duration added.
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
        Op && Op->getOperator() == OO_Plus && Op->getNumArgs() == 2)
      return constantMs(Op->getArg(1), AST, Models);
    const CXXRecordDecl *RD = E->getType()->getAsCXXRecordDecl();
    const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(RD);
    if (!Spec || !Models.isDurationType(modelName(Spec)))
      return std::nullopt;
    const TemplateArgumentList &TA = Spec->getTemplateArgs();
    if (TA.size() < 2 || TA[1].getKind() != TemplateArgument::Type)
      return std::nullopt;
    const auto *Ratio = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
        TA[1].getAsType()->getAsCXXRecordDecl());
    if (!Ratio || Ratio->getTemplateArgs().size() < 2 ||
        Ratio->getTemplateArgs()[0].getKind() != TemplateArgument::Integral ||
        Ratio->getTemplateArgs()[1].getKind() != TemplateArgument::Integral)
      return std::nullopt;
    double Num = Ratio->getTemplateArgs()[0].getAsIntegral().getSExtValue();
    double Den = Ratio->getTemplateArgs()[1].getAsIntegral().getSExtValue();
    if (Den == 0)
      return std::nullopt;
    Expr::EvalResult R;
    if (!E->EvaluateAsRValue(R, AST) || !R.Val.isStruct() ||
        R.Val.getStructNumFields() < 1)
      return std::nullopt;
    const APValue &Count = R.Val.getStructField(0);
    double N;
    if (Count.isInt())
      N = Count.getInt().getSExtValue();
    else if (Count.isFloat())
      N = Count.getFloat().convertToDouble();
    else
      return std::nullopt;
    return N * Num / Den * 1000.0;
  }

  void checkSleep(FunctionContext &Ctx, const ValueDecl *Token,
                  const CallExpr *C) {
    if (C->getNumArgs() < 1)
      return;
    std::optional<double> Ms =
        constantMs(C->getArg(0), Ctx.ast(), Ctx.tu().Models);
    if (!Ms)
      return;
    double Max =
        double(intOption(Ctx.tu().Options, info().Id, "max_sleep_ms"));
    if (*Ms <= Max)
      return;
    std::string Name = C->getDirectCallee()
                           ? C->getDirectCallee()->getNameAsString()
                           : "sleep";
    DiagBuilder D = Ctx.report(
        info(), C->getBeginLoc(),
        "'" + Name + "' of " + std::to_string((long long)*Ms) +
            " ms cannot be interrupted by a stop request (more than " +
            std::to_string((long long)Max) +
            " ms); wait on a condition_variable_any with the stop token "
            "instead",
        C);
    D.range(C->getSourceRange());
    tokenNote(D, Token);
  }

  // -- futures -------------------------------------------------------------
  void checkFuture(FunctionContext &Ctx, const ValueDecl *Token,
                   const CallExpr *C, const BlockingOp &B,
                   const std::vector<const Stmt *> &Ops) {
    auto S = callShape(C);
    if (!S || !S->IsMember || !B.Object)
      return;
    const CXXRecordDecl *RD =
        designatedRecord(B.Object->IgnoreParenImpCasts()->getType());
    const FutureModel *F =
        RD ? Ctx.tu().Models.futureForType(modelName(RD)) : nullptr;
    if (!F)
      return;
    const ValueDecl *Fut = objectDecl(B.Object);
    const SourceManager &SM = Ctx.ast().getSourceManager();
    // A timed wait on the same future before: polled, not blocked on.
    for (const Stmt *O : Ops) {
      auto OS = callShape(cast<Expr>(O));
      if (!OS || !OS->IsMember || !llvm::is_contained(F->TimedWait, OS->Name))
        continue;
      const ValueDecl *Other = objectDecl(OS->Object);
      if ((!Fut || Other == Fut) &&
          SM.isBeforeInTranslationUnit(O->getBeginLoc(), C->getBeginLoc()))
        return;
    }
    std::string Name = nameOf(Fut);
    DiagBuilder D = Ctx.report(
        info(), callLoc(C),
        "'" + S->Name + "' on " +
            (Name.empty() ? std::string("a future") : "future '" + Name + "'") +
            " blocks until the task finishes and cannot be interrupted by a "
            "stop request; poll it with wait_for and check the token",
        C);
    D.range(C->getSourceRange());
    tokenNote(D, Token);
  }

  std::unique_ptr<StopPaths> SP;
  std::unique_ptr<TUIndex> Index;
};

} // namespace

std::unique_ptr<Check> createCancelUninterruptibleWaitCheck() {
  return std::make_unique<CancelUninterruptibleWaitCheck>();
}

} // namespace tether
