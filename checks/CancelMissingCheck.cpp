// cancel-missing: a thread or task body loops forever around blocking
// operations and has no exit that a stop request, a closed channel or a
// stop flag can trigger. Nobody can end the thread: whoever joins it (a
// `~jthread`, a pool's destructor) hangs, a detached one runs until exit.
// See docs/checks/cancel-missing.md.
#include "ChannelFlow.h"
#include "core/Check.h"
#include "ASTHelpers.h"
#include "Facts.h"
#include "HandlePaths.h"
#include "LockState.h"
#include "ModelMatch.h"
#include "Spawns.h"
#include "StopPaths.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Basic/SourceManager.h"

#include <map>
#include <set>

using namespace clang;

namespace tether {
namespace {

struct Block {
  const Expr *Op = nullptr; // the blocking call (maybe in a callee)
  std::string What;
  const FunctionDecl *Via = nullptr; // callee holding Op, if not direct
  const Expr *Site = nullptr; // the call in the loop that leads to Op
};

const FunctionDecl *definitionOf(const CallExpr *C) {
  const FunctionDecl *Callee = C->getDirectCallee();
  const FunctionDecl *Def = nullptr;
  if (!Callee || !Callee->hasBody(Def) || !Def || inSystemHeader(Def) ||
      Def->isDependentContext())
    return nullptr;
  return Def;
}

class CancelMissingCheck : public Check {
public:
  const CheckInfo &info() const override {
    static const CheckInfo Info{
        "cancel-missing",
        "A thread body loops forever around blocking operations with no "
        "exit on a stop request.",
        "The loop has no exit that another thread can trigger: no stop-token "
        "check, no closed channel, no stop flag. The thread cannot be "
        "stopped, so whoever joins it (a std::jthread's destructor, a pool's "
        "destructor) hangs and a detached one runs until the process exits. "
        "Leave the loop when stop is requested (`while "
        "(!st.stop_requested())`, a receive that fails once the channel is "
        "closed, a stop flag checked after every wake-up).",
        Severity::Warning,
        {{"allow", OptionType::Globs, "",
          "intentional daemons (globs over simple and qualified function "
          "names) whose threads are not checked"}}};
    return Info;
  }

  void checkFunction(FunctionContext &Ctx) override {
    const FunctionDecl *FD = Ctx.function();
    if (!FD->getBody())
      return;
    const ModelSet &Models = Ctx.tu().Models;
    std::vector<SpawnSite> Spawns;
    collectSpawns(FD->getBody(), Models, Spawns);
    // Threads started in member initializers (`worker_([this] { run(); })`,
    // or a default member initializer used by this constructor).
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(FD))
      for (const CXXCtorInitializer *Init : Ctor->inits()) {
        const Expr *E = Init->getInit();
        if (const auto *DI = dyn_cast_or_null<CXXDefaultInitExpr>(E))
          E = DI->getExpr();
        collectSpawns(E, Models, Spawns);
      }
    if (Spawns.empty())
      return;
    if (!SP)
      SP = std::make_unique<StopPaths>(Ctx.ast(), Models);
    for (const SpawnSite &S : Spawns) {
      const FunctionDecl *Body = spawnBody(S);
      if (!Body || !Body->getBody() || Body->isDependentContext() ||
          inSystemHeader(Body))
        continue;
      // The thread body, and the functions it calls directly outside its
      // loops (`[this] { run(); }`, `init(); loop();`).
      std::vector<const FunctionDecl *> Fns{Body};
      collectHelpers(Body->getBody(), Fns, 0);
      if (allowed(Ctx, S, Fns) || detached(Ctx, S))
        continue;
      for (const FunctionDecl *Fn : Fns)
        checkLoops(Ctx, S, Body, Fn, Fn->getBody());
    }
  }

private:
  static void collectSpawns(const Stmt *S, const ModelSet &Models,
                            std::vector<SpawnSite> &Out) {
    if (!S || isa<LambdaExpr>(S))
      return;
    if (const auto *E = dyn_cast<Expr>(S))
      if (isa<CXXConstructExpr, CallExpr>(E))
        if (auto Sp = matchSpawn(E, Models); Sp && (Sp->Callable || Sp->Started))
          Out.push_back(*Sp);
    for (const Stmt *C : S->children())
      collectSpawns(C, Models, Out);
  }

  // Direct helpers: calls outside loops to functions with a body here.
  static void collectHelpers(const Stmt *S,
                             std::vector<const FunctionDecl *> &Fns,
                             int Depth) {
    if (!S || isa<LambdaExpr>(S) ||
        isa<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt>(S) || Depth > 1)
      return;
    if (const auto *C = dyn_cast<CallExpr>(S))
      if (const FunctionDecl *Def = definitionOf(C))
        if (!llvm::is_contained(Fns, Def) && Fns.size() < 8) {
          Fns.push_back(Def);
          collectHelpers(Def->getBody(), Fns, Depth + 1);
        }
    for (const Stmt *C : S->children())
      collectHelpers(C, Fns, Depth);
  }

  // A detached thread that can never stop has no owner to hang: that is
  // thread-leak's finding (one report, from the check about owners).
  static bool detached(FunctionContext &Ctx, const SpawnSite &S) {
    for (const ThreadStart &T : Ctx.channelFlow().threads())
      if (T.Spawn == S.Expr && T.Detached)
        return true;
    return false;
  }

  // Can the handle's destructor run? Not for a local handle of a function
  // that never returns after the start (a `main` ending in its serve loop):
  // the destructor that would request stop and join is never reached.
  static bool destroyed(FunctionContext &Ctx, const SpawnSite &S) {
    for (const Spawn &Sp : Ctx.spawns().all())
      if (Sp.Site.Expr == S.Expr && Sp.Local && Sp.Anchor)
        return Ctx.handlePaths().returnsAfter(Sp.Anchor);
    return true;
  }

  // Daemons the configuration lists: by the name of the thread body, of a
  // function it runs, or of the function starting the thread.
  bool allowed(FunctionContext &Ctx, const SpawnSite &S,
               llvm::ArrayRef<const FunctionDecl *> Fns) {
    const CheckOptions &O = Ctx.tu().Options;
    NameGlobs Allow = globsOption(O, "cancel-missing", "allow");
    // Declared by thread-leak, the check that owns detached threads: one
    // list of daemons for both checks, matched the same way.
    NameGlobs Daemons = globsOption(O, "thread-leak", "allow_detached");
    if (Allow.empty() && Daemons.empty())
      return false;
    std::vector<std::string> Names;
    auto AddNames = [&](const FunctionDecl *F) {
      // A lambda goes by the function it is written in.
      F = enclosingNamedFunction(F);
      if (!F)
        return;
      Names.push_back(F->getQualifiedNameAsString());
      Names.push_back(F->getNameAsString());
    };
    for (const FunctionDecl *F : Fns)
      AddNames(F);
    AddNames(Ctx.function());
    if (Allow.matchesAny(Names))
      return true;
    if (Daemons.empty() || !Daemons.matchesAny(Names))
      return false;
    for (const ThreadStart &T : Ctx.channelFlow().threads())
      if (T.Spawn == S.Expr && T.Detached)
        return true;
    return false;
  }

  void checkLoops(FunctionContext &Ctx, const SpawnSite &S,
                  const FunctionDecl *Body, const FunctionDecl *Fn,
                  const Stmt *St) {
    if (!St || isa<LambdaExpr>(St))
      return;
    // A [[noreturn]] function says so itself: it runs until the process
    // ends, on purpose.
    if (Fn->isNoReturn())
      return;
    if (isa<ForStmt, WhileStmt, DoStmt>(St) && !Reported.count(St) &&
        SP->isForeverLoop(St, Fn) && !SP->loopCanEnd(St, Fn)) {
      if (std::optional<Block> B = blocksIn(Ctx, St)) {
        Reported.insert(St);
        report(Ctx, S, Body, Fn, St, *B);
        return; // the loops inside are this one's business
      }
    }
    for (const Stmt *C : St->children())
      checkLoops(Ctx, S, Body, Fn, C);
  }

  void report(FunctionContext &Ctx, const SpawnSite &S,
              const FunctionDecl *Body, const FunctionDecl *LoopFn,
              const Stmt *Loop, const Block &B) {
    bool JoinsOnDestruction =
        S.Model && S.Model->Destruction == OnDestruction::RequestStopAndJoin &&
        destroyed(Ctx, S);
    // The token the loop could have checked: a parameter of the function
    // holding the loop (a helper the token was handed to), else the thread
    // body's own.
    const ParmVarDecl *Token = nullptr;
    for (const FunctionDecl *F : {LoopFn, Body})
      for (const ParmVarDecl *PV : F->parameters())
        if (!Token && SP->isTokenType(PV->getType()))
          Token = PV;
    std::string Msg = "thread body loops forever around a blocking " +
                      B.What +
                      " with no exit on a stop request, a closed channel or "
                      "a stop flag";
    if (Token)
      Msg += "; the stop token is never checked";
    if (JoinsOnDestruction)
      Msg += ", and the destructor's join will hang";
    // The blocking call in the loop identifies the finding.
    const Stmt *Anchor = B.Site ? B.Site : B.Op;
    DiagBuilder D = Ctx.report(info(), Loop->getBeginLoc(), Msg, Anchor);
    if (const auto *F = dyn_cast<ForStmt>(Loop))
      D.range(SourceRange(F->getBeginLoc(), F->getRParenLoc()));
    else if (const auto *W = dyn_cast<WhileStmt>(Loop))
      D.range(SourceRange(W->getBeginLoc(), W->getRParenLoc()));
    if (B.Via && B.Site)
      D.note(B.Site->getBeginLoc(), "blocks here (" + B.What + ", in '" +
                                        B.Via->getNameAsString() + "')");
    else
      D.note(B.Op->getBeginLoc(), "blocks here (" + B.What + ")");
    D.note(S.Expr->getBeginLoc(), "thread started here");
    if (Token)
      D.note(Token->getLocation().isValid() ? Token->getLocation()
                                            : Token->getBeginLoc(),
             "stop token ignored here");
  }

  // A blocking operation in S (not in lambdas it creates), directly or in a
  // function it calls (the callee's facts: "may block").
  std::optional<Block> blocksIn(FunctionContext &Ctx, const Stmt *S) {
    if (!S || isa<LambdaExpr>(S))
      return std::nullopt;
    if (const auto *C = dyn_cast<CallExpr>(S)) {
      if (auto Op = matchBlockingOp(C, Ctx.tu().Models))
        return Block{C, Op->What, nullptr};
      const FunctionDecl *Def = definitionOf(C);
      if (!Def) // defined in another TU: the link phase's facts
        if (const FunctionDecl *X = factsCallee(C); X && !X->hasBody())
          Def = X;
      if (Def)
        if (const auto &B = Ctx.tu().facts().get(Def).MayBlock)
          return Block{B->At.Op, B->What, Def, C};
    }
    for (const Stmt *Ch : S->children())
      if (auto B = blocksIn(Ctx, Ch))
        return B;
    return std::nullopt;
  }

  std::unique_ptr<StopPaths> SP;
  std::set<const Stmt *> Reported;
};

} // namespace

std::unique_ptr<Check> createCancelMissingCheck() {
  return std::make_unique<CancelMissingCheck>();
}

} // namespace tether
