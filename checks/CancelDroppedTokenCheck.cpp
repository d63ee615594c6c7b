// cancel-dropped-token: a function that received a stop token cuts the
// cancellation chain. (a) A callee that takes a token is given one that can
// never be stopped (`std::stop_token{}`, `{}`, the default argument, a token
// of a temporary source or of a local source nobody requests); (b) a call
// whose overload set holds the same function with a token parameter is made
// without the token. The C++ form of `context.TODO()` deep inside a call
// chain. See docs/checks/cancel-dropped-token.md.
#include "CancelSource.h"
#include "core/Check.h"
#include "ASTHelpers.h"
#include "ModelMatch.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"

#include <functional>
#include <map>
#include <optional>

using namespace clang;

namespace tether {
namespace {

// Why a token argument can never be stopped.
struct Fresh {
  std::string What;     // "a default-constructed stop token"
  bool Default = false; // the callee's default argument
};

const Expr *strip(const Expr *E) {
  return stripTemporaries(E, {/*MoveForward=*/true, /*CallableWrappers=*/false});
}

bool isDefaultConstruction(const Expr *E) {
  if (const auto *CE = dyn_cast<CXXConstructExpr>(E)) {
    for (const Expr *A : CE->arguments())
      if (!isa<CXXDefaultArgExpr>(A))
        return false;
    return CE->getConstructor() && CE->getConstructor()->isDefaultConstructor();
  }
  if (const auto *IL = dyn_cast<InitListExpr>(E))
    return IL->getNumInits() == 0;
  return isa<ImplicitValueInitExpr, CXXScalarValueInitExpr>(E);
}

class CancelDroppedTokenCheck : public Check {
public:
  const CheckInfo &info() const override {
    static const CheckInfo Info{
        "cancel-dropped-token",
        "A function that received a stop token calls code that takes one "
        "without passing it on.",
        "The function was given a stop token, but a callee that accepts a "
        "token gets a fresh or default one (std::stop_token{}, the default "
        "argument, a token of a source nobody requests), or a blocking call "
        "that has an overload taking a token is made without it. A stop "
        "request of the caller no longer reaches that work: shutdown waits "
        "for it. Pass the token this function received (or a token of a "
        "child source that its stop callback requests).",
        Severity::Warning};
    return Info;
  }

  void checkFunction(FunctionContext &Ctx) override {
    const FunctionDecl *FD = Ctx.function();
    const Stmt *Body = FD ? FD->getBody() : nullptr;
    if (!Body)
      return;
    const ModelSet &Models = Ctx.tu().Models;
    // The tokens this function received: its token parameters, and for a
    // lambda, the tokens it captured. An unnamed token parameter is ignored
    // on purpose (an interface the function implements): not received.
    std::vector<const ValueDecl *> Received;
    for (const ParmVarDecl *P : FD->parameters())
      if (P->getIdentifier() && cancelTokenModelOf(P->getType(), Models))
        Received.push_back(P);
    if (const auto *MD = dyn_cast<CXXMethodDecl>(FD))
      if (MD->getParent()->isLambda())
        for (const LambdaCapture &C : MD->getParent()->captures())
          if (C.capturesVariable())
            if (const ValueDecl *V = C.getCapturedVar();
                V && V->getIdentifier() &&
                cancelTokenModelOf(V->getType(), Models))
              Received.push_back(V);
    if (Received.empty())
      return;
    Fn = FD;
    State = {};
    walk(Ctx, Body, Received.front());
  }

private:
  void walk(FunctionContext &Ctx, const Stmt *S, const ValueDecl *Token) {
    if (!S || isa<LambdaExpr>(S))
      return; // lambda bodies are functions of their own
    if (const auto *Call = dyn_cast<CallExpr>(S)) {
      if (!isa<CXXOperatorCallExpr>(Call))
        if (const FunctionDecl *Callee = Call->getDirectCallee())
          checkCall(Ctx, Call, Callee, Call->getArgs(), Call->getNumArgs(),
                    Token);
    } else if (const auto *CE = dyn_cast<CXXConstructExpr>(S)) {
      const ModelSet &Models = Ctx.tu().Models;
      QualType T = CE->getType();
      if (CE->getConstructor() && !cancelTokenModelOf(T, Models) &&
          !cancelSourceModelOf(T, Models) && !isCancelCallbackType(T, Models))
        checkCall(Ctx, CE, CE->getConstructor(), CE->getArgs(),
                  CE->getNumArgs(), Token);
    }
    for (const Stmt *C : S->children())
      walk(Ctx, C, Token);
  }

  void checkCall(FunctionContext &Ctx, const Expr *Call,
                 const FunctionDecl *Callee, const Expr *const *Args,
                 unsigned NumArgs, const ValueDecl *Token) {
    const ModelSet &Models = Ctx.tu().Models;
    bool TakesToken = false;
    unsigned N = std::min(NumArgs, Callee->getNumParams());
    for (unsigned I = 0; I < N; ++I) {
      const ParmVarDecl *P = Callee->getParamDecl(I);
      if (!cancelTokenModelOf(P->getType(), Models))
        continue;
      TakesToken = true;
      if (std::optional<Fresh> F = fresh(Ctx, Args[I]))
        reportFresh(Ctx, Call, Callee, Args[I], *F, Token);
    }
    if (TakesToken || isa<CXXConstructExpr>(Call))
      return;
    for (unsigned I = 0; I < NumArgs; ++I)
      if (cancelTokenModelOf(Args[I]->getType(), Models))
        return; // a token goes in through a variadic or template parameter
    if (const FunctionDecl *Over = tokenOverload(Callee, Models))
      reportOverload(Ctx, cast<CallExpr>(Call), Callee, Over, Token);
  }

  // The same function with a token parameter added, from the callee's
  // overload set (compared on the templates' patterns, so that
  // `wait(Lock&, Pred)` finds `wait(Lock&, stop_token, Pred)`).
  const FunctionDecl *tokenOverload(const FunctionDecl *Callee,
                                    const ModelSet &Models) {
    const FunctionDecl *Pat = Callee->getTemplateInstantiationPattern();
    if (!Pat)
      Pat = Callee;
    if (!Pat->getDeclName().isIdentifier())
      return nullptr;
    // Untimed waits of the models' interruptible types
    // (condition_variable_any::wait) are cancel-uninterruptible-wait's: one
    // finding, with its fix-it. Timed waits stay here.
    if (const auto *MD = dyn_cast<CXXMethodDecl>(Pat))
      if (const InterruptibleWaitModel *W = interruptibleWaitOf(MD, Models);
          W && !llvm::is_contained(W->Timed, MD->getName()))
        return nullptr;
    // The caller is itself an overload of the same set (a token overload
    // delegating to the plain one): not a dropped token.
    const FunctionDecl *Self = Fn->getTemplateInstantiationPattern();
    if (!Self)
      Self = Fn;
    if (Self->getDeclName() == Pat->getDeclName() &&
        Self->getDeclContext()->getRedeclContext()->Equals(
            Pat->getDeclContext()->getRedeclContext()))
      return nullptr;
    const DeclContext *DC = Pat->getDeclContext();
    ASTContext &AST = Pat->getASTContext();
    for (const NamedDecl *ND : DC->lookup(Pat->getDeclName())) {
      const FunctionDecl *G = nullptr;
      if (const auto *FTD = dyn_cast<FunctionTemplateDecl>(ND))
        G = FTD->getTemplatedDecl();
      else
        G = dyn_cast<FunctionDecl>(ND);
      if (!G || G->getCanonicalDecl() == Pat->getCanonicalDecl() ||
          G->isDeleted() || G->getNumParams() != Pat->getNumParams() + 1)
        continue;
      if (isa<CXXMethodDecl>(G) != isa<CXXMethodDecl>(Pat))
        continue;
      // Exactly one token parameter, the others as in the callee.
      int TokenAt = -1;
      for (unsigned I = 0; I < G->getNumParams(); ++I)
        if (!G->getParamDecl(I)->getType()->isDependentType() &&
            cancelTokenModelOf(G->getParamDecl(I)->getType(), Models)) {
          if (TokenAt >= 0)
            TokenAt = -2;
          else if (TokenAt == -1)
            TokenAt = int(I);
        }
      if (TokenAt < 0)
        continue;
      bool Same = true;
      for (unsigned I = 0, J = 0; I < G->getNumParams() && Same; ++I) {
        if (int(I) == TokenAt)
          continue;
        QualType A = G->getParamDecl(I)->getType().getCanonicalType();
        QualType B = Pat->getParamDecl(J++)->getType().getCanonicalType();
        Same = AST.hasSameUnqualifiedType(A, B);
      }
      if (Same)
        return G;
    }
    return nullptr;
  }

  // Whether a token argument can never be stopped, and why.
  std::optional<Fresh> fresh(FunctionContext &Ctx, const Expr *Arg) {
    if (!Arg)
      return std::nullopt;
    bool Default = false;
    if (const auto *DA = dyn_cast<CXXDefaultArgExpr>(Arg->IgnoreImpCasts())) {
      Default = true;
      Arg = DA->getExpr();
    }
    const Expr *E = strip(Arg);
    if (!E)
      return std::nullopt;
    const ModelSet &Models = Ctx.tu().Models;
    if (isDefaultConstruction(E) && cancelTokenModelOf(E->getType(), Models))
      return Fresh{"a default-constructed stop token", Default};
    // `src.get_token()`
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E)) {
      const CXXMethodDecl *MD = MC->getMethodDecl();
      const Expr *Obj = MC->getImplicitObjectArgument();
      if (!MD || !MD->getIdentifier() || !Obj)
        return std::nullopt;
      const CancelSourceModel *M = cancelSourceModelOf(Obj->getType(), Models);
      if (!M || M->RequestsOnDestruction ||
          !llvm::is_contained(M->GetToken, MD->getName()))
        return std::nullopt;
      const Expr *O = strip(Obj);
      if (isa<CXXConstructExpr>(O) && isDefaultConstruction(O))
        return Fresh{"a token of a temporary stop source", Default};
      if (const auto *DRE = dyn_cast<DeclRefExpr>(O))
        if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl()))
          if (neverRequested(Ctx, VD, *M))
            return Fresh{"a token of '" + VD->getName().str() +
                             "' (a local stop source nothing requests)",
                         Default};
      return std::nullopt;
    }
    // A local token variable that only ever holds a fresh token.
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
      if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl()))
        if (isLocal(VD) && cancelTokenModelOf(VD->getType(), Models) &&
            !VD->getType()->isReferenceType() && !modified(VD)) {
          const Expr *Init = VD->getInit();
          std::optional<Fresh> F =
              Init ? fresh(Ctx, Init) : std::optional<Fresh>(Fresh{"", false});
          if (F)
            return Fresh{"'" + VD->getName().str() + "' (" +
                             (F->What.empty()
                                  ? std::string("a default-constructed stop "
                                                "token")
                                  : F->What) +
                             ")",
                         Default};
        }
    return std::nullopt;
  }

  bool isLocal(const VarDecl *VD) const {
    return VD->hasLocalStorage() && !isa<ParmVarDecl>(VD) &&
           VD->getIdentifier() && VD->getDeclContext() == Fn;
  }

  // A local source of this function whose every reference only takes
  // tokens or queries it: no request, no copy, nothing passed on. A source
  // the function requests (a child source stopped from a stop_callback on
  // the received token) is not.
  bool neverRequested(FunctionContext &Ctx, const VarDecl *VD,
                      const CancelSourceModel &M) {
    if (!isLocal(VD) || VD->getType()->isReferenceType())
      return false;
    auto It = State.Sources.find(VD);
    if (It != State.Sources.end())
      return It->second;
    bool Never = true;
    for (const SourceRef &R : sourceRefs(Fn->getBody(), VD, M, Ctx.tu().Models))
      if (R.Kind == SourceRefKind::Use)
        Never = false;
    return State.Sources[VD] = Never;
  }

  // A local token assigned, swapped or passed by non-const reference after
  // its initialisation.
  bool modified(const VarDecl *VD) {
    auto It = State.Modified.find(VD);
    if (It != State.Modified.end())
      return It->second;
    bool M = false;
    std::function<void(const Stmt *, const Stmt *)> Walk =
        [&](const Stmt *S, const Stmt *Parent) {
          if (!S || M)
            return;
          if (const auto *DRE = dyn_cast<DeclRefExpr>(S);
              DRE && DRE->getDecl() == VD && Parent) {
            const Stmt *P = Parent;
            if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(P))
              M |= Op->isAssignmentOp() && Op->getNumArgs() > 0 &&
                   strip(Op->getArg(0)) == DRE;
            else if (isa<MemberExpr>(P))
              M |= !cast<MemberExpr>(P)->getMemberDecl() ||
                   !isa<CXXMethodDecl>(cast<MemberExpr>(P)->getMemberDecl()) ||
                   !cast<CXXMethodDecl>(cast<MemberExpr>(P)->getMemberDecl())
                        ->isConst();
            else if (isa<UnaryOperator>(P))
              M = true; // &tok
            else if (const auto *CE = dyn_cast<CallExpr>(P)) {
              const FunctionDecl *F = CE->getDirectCallee();
              for (unsigned I = 0;
                   F && I < CE->getNumArgs() && I < F->getNumParams(); ++I)
                if (CE->getArg(I) == DRE) {
                  QualType T = F->getParamDecl(I)->getType();
                  M |= T->isReferenceType() &&
                       !T.getNonReferenceType().isConstQualified();
                }
            }
          }
          for (const Stmt *C : S->children())
            Walk(C, S);
        };
    Walk(Fn->getBody(), nullptr);
    return State.Modified[VD] = M;
  }

  void reportFresh(FunctionContext &Ctx, const Expr *Call,
                   const FunctionDecl *Callee, const Expr *Arg, const Fresh &F,
                   const ValueDecl *Token) {
    std::string Who;
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Callee))
      Who = "the constructor of '" + Ctor->getParent()->getNameAsString() + "'";
    else
      Who = "'" + Callee->getNameAsString() + "'";
    std::string Tok = Token->getNameAsString();
    std::string Msg =
        F.Default ? Who +
                        " is called without a stop token: its default "
                        "argument is " +
                        F.What + ", not '" + Tok +
                        "'; a stop request of this function's caller cannot "
                        "reach it"
                  : Who + " is given " + F.What + " instead of '" + Tok +
                        "'; a stop request of this function's caller cannot "
                        "reach it";
    SourceLocation Loc = F.Default ? Call->getExprLoc() : Arg->getBeginLoc();
    if (F.Default)
      if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call))
        if (const auto *ME = dyn_cast<MemberExpr>(MC->getCallee()))
          Loc = ME->getMemberLoc();
    DiagBuilder D = Ctx.report(info(), Loc, Msg, Call);
    D.range(F.Default ? Call->getSourceRange() : Arg->getSourceRange());
    D.note(Token->getLocation(), "the token this function received");
    // `f(std::stop_token{})` -> `f(st)` when the types agree.
    const SourceManager &SM = Ctx.ast().getSourceManager();
    if (!F.Default && !Arg->getBeginLoc().isMacroID() &&
        !Arg->getEndLoc().isMacroID() && Token->getIdentifier() &&
        Ctx.ast().hasSameUnqualifiedType(
            Token->getType().getNonReferenceType(),
            Arg->getType().getNonReferenceType()) &&
        SM.isWrittenInSameFile(Arg->getBeginLoc(), Arg->getEndLoc()))
      D.fixReplace(CharSourceRange::getTokenRange(Arg->getSourceRange()), Tok);
  }

  void reportOverload(FunctionContext &Ctx, const CallExpr *Call,
                      const FunctionDecl *Callee, const FunctionDecl *Over,
                      const ValueDecl *Token) {
    std::string Name = Callee->getNameAsString();
    SourceLocation Loc = Call->getExprLoc();
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call))
      if (const auto *ME = dyn_cast<MemberExpr>(MC->getCallee()))
        Loc = ME->getMemberLoc();
    DiagBuilder D = Ctx.report(
        info(), Loc,
        "'" + Name + "' has an overload that takes a stop token, but '" +
            Token->getNameAsString() +
            "' is not passed: a stop request cannot interrupt this call",
        Call);
    D.range(Call->getSourceRange());
    D.note(Token->getLocation(), "the token this function received");
    const SourceManager &SM = Ctx.ast().getSourceManager();
    if (Over->getLocation().isValid() && !inSystemHeader(Over))
      D.note(Over->getLocation(), "the overload taking a stop token");
  }

  const FunctionDecl *Fn = nullptr;
  struct {
    std::map<const VarDecl *, bool> Sources, Modified;
  } State;
};

} // namespace

std::unique_ptr<Check> createCancelDroppedTokenCheck() {
  return std::make_unique<CancelDroppedTokenCheck>();
}

} // namespace tether
