// thread-loop-capture-by-ref: a thread or task started in a loop gets the
// loop variable (or a variable declared in the loop body) by reference —
// `[&]` that uses it, `[&i]`, `std::ref(i)`, `&i` — and may still run when
// the iteration ends. The C++ form of Go's pre-1.22 loop-variable capture.
// See docs/checks/thread-loop-capture-by-ref.md.
#include "core/Check.h"
#include "ASTHelpers.h"
#include "ModelMatch.h"
#include "SpawnLoops.h"

#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

using namespace clang;

namespace tether {
namespace {

enum class RefKind { ExplicitCapture, DefaultCapture, StdRef, Address };

struct ByRef {
  const ValueDecl *Var = nullptr;
  RefKind Kind;
  const LambdaExpr *Lambda = nullptr;
  const LambdaCapture *Capture = nullptr;
  const Expr *Arg = nullptr; // std::ref(i) / &i
};

const Expr *peel(const Expr *E) {
  return stripTemporaries(E, {/*MoveForward=*/false, /*CallableWrappers=*/true});
}

const ValueDecl *refTo(const Expr *E) {
  const auto *DR = dyn_cast_or_null<DeclRefExpr>(E ? E->IgnoreParenImpCasts()
                                                   : nullptr);
  return DR ? DR->getDecl() : nullptr;
}

// First reference to D in S (a lambda body).
const DeclRefExpr *firstUse(const Stmt *S, const ValueDecl *D) {
  if (!S)
    return nullptr;
  if (const auto *DR = dyn_cast<DeclRefExpr>(S))
    if (DR->getDecl() == D)
      return DR;
  for (const Stmt *C : S->children())
    if (const DeclRefExpr *R = firstUse(C, D))
      return R;
  return nullptr;
}

// Every use of D in S is a plain read (lvalue-to-rvalue), so capturing a
// copy changes nothing but the lifetime.
bool onlyRead(const Stmt *S, const ValueDecl *D, const Stmt *Parent = nullptr) {
  if (!S)
    return true;
  if (const auto *DR = dyn_cast<DeclRefExpr>(S))
    if (DR->getDecl() == D) {
      const auto *IC = dyn_cast_or_null<ImplicitCastExpr>(Parent);
      return IC && IC->getCastKind() == CK_LValueToRValue;
    }
  for (const Stmt *C : S->children())
    if (!onlyRead(C, D, S))
      return false;
  return true;
}

class ThreadLoopCaptureByRefCheck : public Check {
public:
  const CheckInfo &info() const override {
    static const CheckInfo Info{
        "thread-loop-capture-by-ref",
        "A thread started in a loop captures a per-iteration variable by "
        "reference and may outlive the iteration.",
        "The loop variable (or a variable declared in the loop body) is "
        "handed by reference to a thread or pool task that is not joined "
        "before the iteration ends. The thread then reads a variable that "
        "the next iteration changes, or that no longer exists. Capture it "
        "by value ([i] instead of [&i] or [&]), pass a copy instead of "
        "std::ref, or join the thread in the same iteration.",
        Severity::Warning};
    return Info;
  }

  void checkFunction(FunctionContext &Ctx) override {
    const FunctionDecl *FD = Ctx.function();
    if (!FD || !FD->getBody() || FD->isDependentContext())
      return;
    SpawnLoops SL(Ctx);
    for (const Spawn *SP : SL.spawns()) {
      const Spawn &S = *SP;
      std::vector<ByRef> Refs;
      collectRefs(S, Ctx.tu().Models, Refs);
      for (const ByRef &R : Refs) {
        const Stmt *Loop = nullptr;
        for (const Stmt *L : S.Loops)
          if (SL.declaredIn(R.Var, L)) {
            Loop = L;
            break;
          }
        if (!Loop)
          continue;
        const Expr *Why = nullptr;
        if (!SL.outlivesIteration(S, Loop, &Why))
          continue;
        report(Ctx, SL, S, R, Loop, Why);
      }
    }
  }

private:
  static bool skipVar(const ValueDecl *V) {
    if (!V || !V->getIdentifier())
      return true;
    // A reference names an object that lives elsewhere (a container's
    // element); capturing the reference by reference refers to that object.
    if (V->getType()->isReferenceType())
      return true;
    if (const auto *VD = dyn_cast<VarDecl>(V))
      if (VD->isInitCapture())
        return true;
    return false;
  }

  static void collectRefs(const Spawn &S, const ModelSet &Models,
                          std::vector<ByRef> &Out) {
    if (const Expr *C = S.Site.Callable)
      if (const auto *L = dyn_cast<LambdaExpr>(peel(C)))
        for (const LambdaCapture &Cap : L->captures()) {
          if (!Cap.capturesVariable() || Cap.getCaptureKind() != LCK_ByRef)
            continue;
          const ValueDecl *V = Cap.getCapturedVar();
          if (skipVar(V))
            continue;
          Out.push_back({V,
                         Cap.isImplicit() ? RefKind::DefaultCapture
                                          : RefKind::ExplicitCapture,
                         L, &Cap, nullptr});
        }
    for (const Expr *A : S.Site.Args) {
      const Expr *P = peel(A);
      if (const auto *Call = dyn_cast<CallExpr>(P)) {
        if (isReferenceWrapperCall(Call, Models) && Call->getNumArgs() == 1)
          if (const ValueDecl *V = refTo(Call->getArg(0)); V && !skipVar(V))
            Out.push_back({V, RefKind::StdRef, nullptr, nullptr, A});
      } else if (const auto *U = dyn_cast<UnaryOperator>(P);
                 U && U->getOpcode() == UO_AddrOf) {
        if (const ValueDecl *V = refTo(U->getSubExpr()); V && !skipVar(V))
          Out.push_back({V, RefKind::Address, nullptr, nullptr, A});
      }
    }
  }

  static std::string fateNote(const SpawnLoops &SL, const Spawn &S,
                              const Stmt *Loop, const Expr *Why) {
    if ((S.Fate == HandleFate::InContainer || S.Fate == HandleFate::Stored) &&
        SL.joinedSomewhereIn(S, Loop))
      return "the handle is kept in '" +
             (S.Storage ? S.Storage->describe() : std::string("?")) +
             "' and joined only in some iterations; the others end while "
             "the thread runs";
    switch (S.Fate) {
    case HandleFate::Detached:
      return "the thread is detached here";
    case HandleFate::InContainer:
      return "the handle is kept in '" +
             (S.Storage ? S.Storage->describe() : std::string("?")) +
             "', which outlives the iteration; nothing waits for it before "
             "the iteration ends";
    case HandleFate::Stored:
      return "the handle is kept in '" +
             (S.Storage ? S.Storage->describe() : std::string("?")) +
             "'; nothing waits for it before the iteration ends";
    case HandleFate::Discarded:
      return "nothing waits for the task before the iteration ends";
    case HandleFate::NoHandle:
      return "the thread is not joined before the iteration ends";
    default:
      (void)Why;
      return "the thread may still run when the iteration ends";
    }
  }

  void report(FunctionContext &Ctx, const SpawnLoops &SL,
              const Spawn &S, const ByRef &R, const Stmt *Loop,
              const Expr *Why) {
    const SourceManager &SM = Ctx.ast().getSourceManager();
    const LangOptions &LO = Ctx.ast().getLangOpts();
    std::string Name = R.Var->getNameAsString();
    bool LoopVar = false;
    if (isa<ForStmt>(Loop))
      LoopVar = !loopBody(Loop) ||
                !SL_declaredInBody(SM, R.Var, loopBody(Loop));
    else if (const auto *RF = dyn_cast<CXXForRangeStmt>(Loop))
      LoopVar = RF->getLoopVariable() == R.Var ||
                (isa<BindingDecl>(R.Var) &&
                 cast<BindingDecl>(R.Var)->getDecomposedDecl() ==
                     RF->getLoopVariable());
    std::string What = (LoopVar ? "loop variable '" : "variable '") + Name +
                       "'" + (LoopVar ? "" : ", declared in the loop body,");
    std::string Spawned = S.IsPoolTask ? "task" : "thread";
    std::string Msg;
    SourceLocation Loc;
    switch (R.Kind) {
    case RefKind::ExplicitCapture:
      Msg = What + " is captured by reference by a " + Spawned +
            " that may outlive the iteration";
      Loc = R.Capture->getLocation();
      break;
    case RefKind::DefaultCapture:
      Msg = What + " is captured by reference ([&]) by a " + Spawned +
            " that may outlive the iteration";
      Loc = R.Lambda->getCaptureDefaultLoc();
      break;
    case RefKind::StdRef:
      Msg = What + " is passed by reference (std::ref) to a " + Spawned +
            " that may outlive the iteration";
      Loc = R.Arg->getBeginLoc();
      break;
    case RefKind::Address:
      Msg = "the address of " + What + " is passed to a " + Spawned +
            " that may outlive the iteration";
      Loc = R.Arg->getBeginLoc();
      break;
    }
    DiagBuilder D = Ctx.report(info(), Loc, Msg, S.Site.Expr);
    D.note(R.Var->getLocation(), "'" + Name + "' declared here");
    if (R.Kind == RefKind::DefaultCapture)
      if (const DeclRefExpr *Use = firstUse(R.Lambda->getBody(), R.Var))
        D.note(Use->getLocation(), "'" + Name + "' is used here in the " +
                                       Spawned + "; capture it by value");
    if (Why && Why != S.Site.Expr) {
      D.note(S.Site.Expr->getBeginLoc(), Spawned + " started here");
      D.note(Why->getExprLoc(), fateNote(SL, S, Loop, Why));
    } else {
      D.note(S.Site.Expr->getBeginLoc(),
             Spawned + " started here; " + fateNote(SL, S, Loop, Why));
    }

    if (R.Kind == RefKind::ExplicitCapture)
      addFix(Ctx, D, R, SM, LO);
  }

  static bool SL_declaredInBody(const SourceManager &SM, const ValueDecl *V,
                                const Stmt *Body) {
    SourceLocation L = SM.getExpansionLoc(V->getLocation());
    SourceRange R = Body->getSourceRange();
    return !SM.isBeforeInTranslationUnit(L, SM.getExpansionLoc(R.getBegin())) &&
           !SM.isBeforeInTranslationUnit(SM.getExpansionLoc(R.getEnd()), L);
  }

  // `[&i]` -> `[i]`: only for a variable whose copy behaves like the
  // original for the thread (trivially copyable, only read), and only the
  // capture's own text.
  static void addFix(FunctionContext &Ctx, DiagBuilder &D, const ByRef &R,
                     const SourceManager &SM, const LangOptions &LO) {
    const auto *V = dyn_cast<VarDecl>(R.Var);
    if (!V || !V->getType().isTriviallyCopyableType(Ctx.ast()))
      return;
    if (!onlyRead(R.Lambda->getBody(), V))
      return;
    SourceLocation NameLoc = R.Capture->getLocation();
    if (NameLoc.isInvalid() || NameLoc.isMacroID())
      return;
    bool Invalid = false;
    const char *P = SM.getCharacterData(NameLoc, &Invalid);
    if (Invalid || !P)
      return;
    std::pair<FileID, unsigned> Dec = SM.getDecomposedLoc(NameLoc);
    StringRef Buf = SM.getBufferData(Dec.first, &Invalid);
    if (Invalid)
      return;
    unsigned Off = Dec.second;
    unsigned K = Off;
    while (K > 0 && (Buf[K - 1] == ' ' || Buf[K - 1] == '\t'))
      --K;
    if (K == 0 || Buf[K - 1] != '&')
      return;
    unsigned Amp = K - 1;
    if (Amp > 0 && Buf[Amp - 1] == '&')
      return;
    std::string Name = V->getNameAsString();
    if (!Buf.substr(Off).starts_with(Name))
      return;
    SourceLocation Begin = NameLoc.getLocWithOffset(int(Amp) - int(Off));
    SourceLocation End =
        Lexer::getLocForEndOfToken(NameLoc, 0, SM, LO);
    if (End.isInvalid())
      return;
    D.fixReplace(CharSourceRange::getCharRange(Begin, End), Name);
  }
};

} // namespace

std::unique_ptr<Check> createThreadLoopCaptureByRefCheck() {
  return std::make_unique<ThreadLoopCaptureByRefCheck>();
}

} // namespace tether
