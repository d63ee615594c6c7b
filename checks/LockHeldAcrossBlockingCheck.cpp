// lock-held-across-blocking: a mutex is held across an operation that blocks
// the thread (channel receive, send on a bounded channel, join, future get,
// sleep, a wait on another condition variable, blocking I/O, or a call to a
// function that does one of these on every path). A function whose wait
// releases the locks passed to it (a user condition variable's
// `wait(Lockable &)`, from the facts) does not hold those across it.
//
// A join is a deadlock only if the joined thread may take the held mutex:
// the thread's body is found from the handle (a local, a member, a member
// container of threads) and its facts ("may acquire lock L", through its
// callees) answer. The finding says whether the thread takes the mutex or
// whether that is unknown; a thread whose body provably never takes it (a
// lifecycle lock held while stopping a worker) is not reported.
// See docs/checks/lock-held-across-blocking.md.
#include "ChannelFlow.h"
#include "core/Check.h"
#include "ASTHelpers.h"
#include "Facts.h"
#include "LockState.h"
#include "ModelMatch.h"

#include "clang/AST/ExprCXX.h"
#include "clang/Basic/SourceManager.h"

#include <map>
#include <set>

using namespace clang;

namespace tether {
namespace {

// Can the thread a join waits for take a mutex?
enum class Takes { Yes, Unknown, No };
struct JoinAnswer {
  Takes A = Takes::Unknown;
  std::string Why;          // Unknown: why it cannot tell
  const ObjectFact *At = nullptr; // Yes: the acquisition
  const FunctionDecl *Body = nullptr;
  const Expr *StartedAt = nullptr; // Yes: the start of that thread
};

// A thread start found for a handle: where it is (the function holding it)
// and what it runs.
struct Start {
  const FunctionDecl *In = nullptr;
  const Expr *Callable = nullptr;
  llvm::SmallVector<const Expr *, 4> Args;
  const Expr *Site = nullptr; // the spawn, or the emplace that constructs it
  // A thread object's start (`w.start()`): the object, whose `this` the
  // thread's body (Body, its run()) runs with; null for a callable.
  const Expr *Started = nullptr;
  const FunctionDecl *Body = nullptr;
};

bool isThisExpr(const Expr *E) {
  return E && isa<CXXThisExpr>(E->IgnoreParenImpCasts());
}

const FieldDecl *thisField(const Expr *E) {
  const auto *ME = dyn_cast_or_null<MemberExpr>(E ? stripWrappers(E) : nullptr);
  if (!ME || !isThisExpr(ME->getBase()))
    return nullptr;
  return dyn_cast<FieldDecl>(ME->getMemberDecl());
}

// The function a spawn runs: a lambda, a function, `&Class::method`.
const FunctionDecl *bodyOf(const Expr *Callable) {
  if (!Callable)
    return nullptr;
  const Expr *E = stripWrappers(Callable);
  if (const auto *UO = dyn_cast<UnaryOperator>(E);
      UO && UO->getOpcode() == UO_AddrOf)
    E = UO->getSubExpr()->IgnoreParenImpCasts();
  if (const auto *DR = dyn_cast<DeclRefExpr>(E))
    if (const auto *FD = dyn_cast<FunctionDecl>(DR->getDecl())) {
      const FunctionDecl *Def = nullptr;
      return FD->hasBody(Def) ? Def : nullptr;
    }
  return calleeBody(Callable);
}

// Thread starts stored into a handle or a container of handles: `h =
// thread(...)`, `h(thread-args)` in a constructor's initializers,
// `hs.emplace_back(callable, ...)`, `hs.push_back(thread(...))`.
class StartFinder {
public:
  StartFinder(const ModelSet &Models, std::vector<Start> &Out)
      : Models(Models), Out(Out) {}

  // Starts into member F in Fn's body (and initializers).
  void member(const FunctionDecl *Fn, const FieldDecl *F) {
    Field = F;
    Var = nullptr;
    In = Fn;
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Fn))
      for (const CXXCtorInitializer *I : Ctor->inits())
        if (I->getMember() == F && I->getInit())
          spawnInto(I->getInit());
    walk(Fn->getBody());
  }
  // Starts into local V in Fn's body.
  void local(const FunctionDecl *Fn, const VarDecl *V) {
    Field = nullptr;
    Var = V;
    In = Fn;
    if (V->getInit())
      spawnInto(V->getInit());
    walk(Fn->getBody());
  }

private:
  bool designates(const Expr *E) const {
    E = stripWrappers(E);
    if (Field)
      return thisField(E) == Field;
    const auto *DR = dyn_cast<DeclRefExpr>(E);
    return DR && DR->getDecl() == Var;
  }
  void spawnInto(const Expr *Init) {
    const Expr *E = stripTemporaries(Init, {true, false});
    if (auto S = matchSpawn(E, Models))
      Out.push_back({In, S->Callable, S->Args, E, nullptr, nullptr});
  }
  void walk(const Stmt *S) {
    if (!S)
      return;
    if (const auto *L = dyn_cast<LambdaExpr>(S)) {
      walk(L->getBody()); // stored from a lambda of the same object
      return;
    }
    if (const auto *BO = dyn_cast<BinaryOperator>(S);
        BO && BO->getOpcode() == BO_Assign && designates(BO->getLHS()))
      spawnInto(BO->getRHS());
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
        Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2 &&
        designates(Op->getArg(0)))
      spawnInto(Op->getArg(1));
    // `worker_.start()`: the thread object starts its own run().
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S);
        MC && MC->getImplicitObjectArgument() &&
        designates(MC->getImplicitObjectArgument()))
      if (auto Sp = matchSpawn(MC, Models); Sp && Sp->Started)
        Out.push_back({In, nullptr, {}, MC, Sp->Started, spawnBody(*Sp)});
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S))
      if (const CXXMethodDecl *MD = MC->getMethodDecl();
          MD && MD->getIdentifier() && MC->getImplicitObjectArgument() &&
          designates(MC->getImplicitObjectArgument()) && MC->getNumArgs() > 0) {
        bool Emplace =
            followsConvention(MD, ModelSet::Convention::Emplace, Models);
        if (isContainerInsert(MC, Models) && !Emplace) {
          spawnInto(MC->getArg(MC->getNumArgs() - 1));
        } else if (Emplace) {
          // The handle is constructed in place from the arguments.
          Start St{In, MC->getArg(0), {}, MC, nullptr, nullptr};
          for (unsigned I = 1; I < MC->getNumArgs(); ++I)
            St.Args.push_back(MC->getArg(I));
          if (auto Sp = matchSpawn(stripTemporaries(MC->getArg(0), {true, false}),
                                   Models))
            St = Start{In, Sp->Callable, Sp->Args, MC, nullptr, nullptr};
          Out.push_back(St);
        }
      }
    for (const Stmt *C : S->children())
      walk(C);
  }

  const ModelSet &Models;
  std::vector<Start> &Out;
  const FieldDecl *Field = nullptr;
  const VarDecl *Var = nullptr;
  const FunctionDecl *In = nullptr;
};

// The range-for statement whose loop variable V is, in S.
const CXXForRangeStmt *rangeForOf(const Stmt *S, const VarDecl *V) {
  if (!S)
    return nullptr;
  if (const auto *RF = dyn_cast<CXXForRangeStmt>(S); RF && RF->getLoopVariable() == V)
    return RF;
  for (const Stmt *C : S->children())
    if (const CXXForRangeStmt *RF = rangeForOf(C, V))
      return RF;
  return nullptr;
}

class LockHeldAcrossBlockingCheck : public Check {
public:
  const CheckInfo &info() const override {
    static const CheckInfo Info{
        "lock-held-across-blocking",
        "A mutex is held across a blocking operation.",
        "While a thread blocks on a channel, a join, a future, a sleep or "
        "another condition variable with a mutex held, every thread that "
        "needs the mutex stops too; if the operation waits for one of them "
        "the program deadlocks. Release the mutex before blocking (end the "
        "guard's scope or call unlock()), or wait on the condition variable "
        "that belongs to the mutex.",
        Severity::Warning};
    return Info;
  }

  void checkFunction(FunctionContext &Ctx) override {
    const LockState &LS = Ctx.lockState();
    if (!LS.usesLocks())
      return;
    const ModelSet &Models = Ctx.tu().Models;
    std::vector<const CallExpr *> Calls;
    collectCalls(Ctx.function()->getBody(), Calls);
    // Futures polled with a timed wait (`wait_for(0s) == ready`) before
    // get(): the get() after the poll does not block.
    std::vector<std::pair<ObjectKey, const CallExpr *>> Polled;
    for (const CallExpr *Call : Calls)
      if (auto S = callShape(Call); S && S->IsMember && S->Object)
        if (const CXXRecordDecl *RD = designatedRecord(
                S->Object->IgnoreParenImpCasts()->getType()))
          if (const FutureModel *F = Models.futureForType(modelName(RD)))
            if (llvm::is_contained(F->TimedWait, S->Name))
              if (auto K = LS.resolver().keyOf(S->Object))
                Polled.push_back({*K, Call});
    const SourceManager &SM = Ctx.ast().getSourceManager();
    auto PolledBefore = [&](const BlockingOp &Op) {
      if (!Op.Object)
        return false;
      auto K = LS.resolver().keyOf(Op.Object);
      if (!K)
        return false;
      for (const auto &[PK, PC] : Polled)
        if (PK == *K && SM.isBeforeInTranslationUnit(PC->getBeginLoc(),
                                                     Op.Call->getBeginLoc()))
          return true;
      return false;
    };
    for (const CallExpr *Call : Calls) {
      llvm::ArrayRef<HeldLock> HeldHere = LS.heldAt(Call);
      if (HeldHere.empty())
        continue;
      llvm::SmallVector<HeldLock, 2> Held(HeldHere.begin(), HeldHere.end());
      std::optional<BlockingOp> Op = matchBlockingOp(Call, Models);
      std::optional<BlockFact> Via;
      const FunctionDecl *Callee = nullptr;
      if (Op) {
        if (PolledBefore(*Op))
          continue;
        LS.removeReleased(*Op, Held);
      } else {
        // A helper that blocks on every path waiting for another thread. One
        // that blocks only on some paths (`if (t.joinable()) t.join()` over a
        // list of retired threads, a wait behind a flag) is not taken as
        // blocking: whether that path runs under the caller's lock is beyond
        // what the analysis knows.
        Callee = factsCallee(Call);
        if (Callee && Callee != Ctx.function())
          Via = Ctx.tu().facts().get(Callee).MustWait;
        if (!Via)
          continue;
        // A user wait that releases the locks passed to it while it blocks
        // (`cv.wait(m)` on a condition variable of the project's own).
        if (!Via->ReleasesParams.empty()) {
          BlockingOp Released;
          Released.Call = Call;
          unsigned Skip = isa<CXXOperatorCallExpr>(Call) &&
                                  isa<CXXMethodDecl>(Callee)
                              ? 1
                              : 0;
          for (unsigned I : Via->ReleasesParams)
            if (I + Skip < Call->getNumArgs())
              Released.Released.push_back(Call->getArg(I + Skip));
          LS.removeReleased(Released, Held);
        }
      }
      if (Held.empty())
        continue;
      // A join: keep the mutexes the joined thread may take.
      std::optional<JoinAnswer> Join;
      if (Op && Op->What == "thread join") {
        std::vector<std::pair<HeldLock, JoinAnswer>> Kept;
        for (const HeldLock &H : Held) {
          JoinAnswer A = joinedTakes(Ctx, *Op, H);
          if (A.A != Takes::No)
            Kept.push_back({H, A});
        }
        if (Kept.empty())
          continue; // the joined thread never takes them: a lifecycle lock
        // A mutex the thread certainly takes names the deadlock: those
        // first, each group in the order the analysis found them.
        Held.clear();
        for (bool Yes : {true, false})
          for (const auto &K : Kept)
            if ((K.second.A == Takes::Yes) == Yes) {
              if (!Join)
                Join = K.second;
              Held.push_back(K.first);
            }
      }
      // The lock taken first is the one to release (for a join: the first
      // one the joined thread takes).
      if (!Join)
        llvm::sort(Held,
                       [&](const HeldLock &A, const HeldLock &B) {
                         return SM.isBeforeInTranslationUnit(
                             A.Site->getBeginLoc(), B.Site->getBeginLoc());
                       });
      const HeldLock &L = Held.front();
      std::string Msg;
      if (Op)
        Msg = "mutex " + L.describe() + " is held across a blocking " +
              Op->What;
      else
        Msg = "mutex " + L.describe() + " is held across a call to '" +
              Callee->getNameAsString() + "', which blocks (" + Via->What +
              ")";
      if (Held.size() > 1)
        Msg += " (" + std::to_string(Held.size() - 1) +
               " more mutex" + (Held.size() > 2 ? "es" : "") + " held)";
      if (Join && Join->A == Takes::Yes)
        Msg += "; the joined thread takes it too (in '" +
               Join->At->At.functionName() + "'): a deadlock";
      else if (Join)
        Msg += "; whether the joined thread takes it is unknown (" +
               Join->Why + ")";
      SourceLocation Loc = Call->getExprLoc();
      if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call))
        if (MC->getImplicitObjectArgument())
          Loc = MC->getBeginLoc();
      DiagBuilder D = Ctx.report(info(), Loc, Msg, Call);
      D.range(Call->getSourceRange());
      D.note(L.Site->getBeginLoc(), L.Guard ? "mutex locked here (held until "
                                              "the guard's scope ends)"
                                            : "mutex locked here");
      if (Via && Via->At.Op)
        D.note(Via->At.Op->getBeginLoc(), "blocks here (" + Via->What + ")");
      else if (Via)
        D.note(Via->At.Where, "blocks here (" + Via->What + ")");
      if (Join && Join->A == Takes::Yes) {
        // Two threads: the holder, which joins, and the joined thread.
        D.thread(runningThreadLabel(Ctx.function()));
        unsigned Joined = D.thread(
            Join->StartedAt
                ? startedThreadLabel(SM, Join->StartedAt->getBeginLoc())
                : "the joined thread");
        if (Join->At->At.Op)
          D.note(Join->At->At.Op->getBeginLoc(),
                 "the joined thread takes the mutex here", Joined);
        else
          D.note(Join->At->At.Where, "the joined thread takes the mutex here",
                 Joined);
      }
      D.note(Loc, "still held here");
    }
  }

private:
  static void collectCalls(const Stmt *S, std::vector<const CallExpr *> &Out) {
    if (!S || isa<LambdaExpr>(S))
      return;
    if (const auto *C = dyn_cast<CallExpr>(S))
      Out.push_back(C);
    for (const Stmt *Ch : S->children())
      collectCalls(Ch, Out);
  }

  // Can the thread Op joins take mutex H? From the thread's start (found
  // from the handle) and its body's facts.
  static JoinAnswer joinedTakes(FunctionContext &Ctx, const BlockingOp &Op,
                                const HeldLock &H) {
    JoinAnswer Ans;
    if (!H.Mutex) {
      Ans.Why = "the mutex has no name the analysis can follow";
      return Ans;
    }
    const ModelSet &Models = Ctx.tu().Models;
    std::vector<Start> Starts;
    StartFinder Find(Models, Starts);
    const Expr *Obj = Op.Object ? stripWrappers(Op.Object) : nullptr;
    if (const FieldDecl *F = thisField(Obj)) {
      // A member: every method of the class defined here may start it.
      if (const auto *RD = dyn_cast<CXXRecordDecl>(F->getParent()))
        for (const Decl *D : RD->decls()) {
          const auto *M = dyn_cast<FunctionDecl>(D);
          if (const auto *T = dyn_cast<FunctionTemplateDecl>(D))
            M = T->getTemplatedDecl();
          const FunctionDecl *Def = nullptr;
          if (M && M->hasBody(Def))
            Find.member(Def, F);
        }
    } else if (const auto *DR = dyn_cast_or_null<DeclRefExpr>(Obj)) {
      const auto *V = dyn_cast<VarDecl>(DR->getDecl());
      if (V && !isa<ParmVarDecl>(V) && V->isLocalVarDecl()) {
        if (const CXXForRangeStmt *RF =
                rangeForOf(Ctx.function()->getBody(), V)) {
          // `for (auto &t : workers_) t.join()`: the container's threads.
          if (const FieldDecl *C = thisField(RF->getRangeInit())) {
            if (const auto *RD = dyn_cast<CXXRecordDecl>(C->getParent()))
              for (const Decl *D : RD->decls()) {
                const auto *M = dyn_cast<FunctionDecl>(D);
                const FunctionDecl *Def = nullptr;
                if (M && M->hasBody(Def))
                  Find.member(Def, C);
              }
          }
        } else {
          Find.local(Ctx.function(), V);
        }
      }
    }
    // `wait()` in a method of a thread class (QThread): the thread of this
    // very object, running the class's run().
    if (Obj && isThisExpr(Obj))
      if (const auto *MD = dyn_cast<CXXMethodDecl>(Ctx.function()))
        if (const SpawnModel *SM = spawnModelOf(Obj->getType(), Models);
            SM && !SM->Start.empty()) {
          const CXXMethodDecl *Run = threadBodyOf(MD->getParent(), *SM);
          const FunctionDecl *Def = nullptr;
          Starts.push_back({Ctx.function(), nullptr, {}, nullptr, Obj,
                            Run && Run->hasBody(Def) ? Def : nullptr});
        }
    if (Starts.empty()) {
      Ans.Why = "where the thread starts is not visible here";
      return Ans;
    }
    bool Unknown = false;
    for (const Start &S : Starts) {
      const FunctionDecl *Body = S.Started ? S.Body : bodyOf(S.Callable);
      if (!Body || !Body->hasBody()) {
        Unknown = true;
        Ans.Why = "the thread's body is not visible here";
        continue;
      }
      const FunctionFacts &F = Ctx.tu().facts().get(Body);
      // The thread's names for the held mutex: the same member of the same
      // object (a lambda capturing `this`, `&Class::run` started on `this`),
      // the same global, the same captured variable, or a parameter bound
      // to it at the start.
      const auto *MD = dyn_cast<CXXMethodDecl>(Body);
      bool Lambda = MD && MD->getParent()->isLambda();
      bool SameObject = Lambda || (MD && !S.Args.empty() && isThisExpr(S.Args[0]));
      bool SameFrame = S.In == Ctx.function();
      unsigned ArgBase = (MD && !Lambda) ? 1 : 0;
      for (const ObjectFact &A : F.Acquires) {
        if (!A.Key) {
          Unknown = true;
          Ans.Why = "the thread locks a mutex the analysis cannot name";
          continue;
        }
        std::optional<ObjectKey> K = *A.Key;
        if (K->ThisBased && S.Started) {
          // run()'s `this` is the started object, named in the starter.
          ObjectResolver R(S.In->getBody());
          std::optional<ObjectKey> Obj =
              isThisExpr(S.Started) ? std::nullopt : R.keyOf(S.Started);
          if (isThisExpr(S.Started) && SameFrame) {
            // The same object as the caller's `this`.
          } else if (Obj && (SameFrame || Obj->ThisBased)) {
            Obj->Path.append(K->Path.begin(), K->Path.end());
            K = Obj;
          } else {
            K.reset();
          }
        } else if (K->ThisBased && !SameObject) {
          K.reset();
        }
        if (const auto *P = dyn_cast_or_null<ParmVarDecl>(K ? K->Root : nullptr);
            P && !K->ThisBased && P->getDeclContext() == Body) {
          unsigned I = P->getFunctionScopeIndex() + ArgBase;
          std::optional<ObjectKey> Arg;
          if (I < S.Args.size()) {
            ObjectResolver R(S.In->getBody());
            Arg = R.keyOf(S.Args[I]);
          }
          if (Arg && (SameFrame || Arg->ThisBased)) {
            Arg->Path.append(K->Path.begin(), K->Path.end());
            K = Arg;
          } else {
            K.reset();
          }
        }
        if (K && sameObject(*K, *H.Mutex)) {
          Ans.A = Takes::Yes;
          Ans.At = &A;
          Ans.Body = Body;
          Ans.StartedAt = S.Site;
          return Ans;
        }
      }
      if (F.Opaque) {
        Unknown = true;
        Ans.Why = "the thread calls code the analysis cannot see";
      }
    }
    Ans.A = Unknown ? Takes::Unknown : Takes::No;
    return Ans;
  }
};

} // namespace

std::unique_ptr<Check> createLockHeldAcrossBlockingCheck() {
  return std::make_unique<LockHeldAcrossBlockingCheck>();
}

} // namespace tether
