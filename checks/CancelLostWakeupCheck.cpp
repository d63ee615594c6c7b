// cancel-lost-wakeup: a flag read by a condition-variable wait (its
// predicate, or around a wait without predicate) is written without the
// mutex that guards the wait and then notified: the waiter can test the
// flag, miss the notify and sleep forever. The write may be in a helper the
// notifying function calls first (`~Pool() { stop(); cv_.notify_all(); }`
// with `void stop() { done_.store(true); }`): the helper's facts ("writes
// flag F", "may acquire lock L") say so.
// See docs/checks/cancel-lost-wakeup.md.
#include "core/Check.h"
#include "ASTHelpers.h"
#include "Facts.h"
#include "LockState.h"
#include "ModelMatch.h"
#include "ObjectWrites.h"
#include "WaitDecision.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Basic/SourceManager.h"
#include "clang/AST/RecursiveASTVisitor.h"

#include <map>
#include <set>

using namespace clang;

namespace tether {
namespace {

// Members are compared through their class's template pattern, so that the
// field of `Pool<int>` read by a worker and the one of the pattern written
// by the destructor are one.
const Decl *canonField(const ValueDecl *D) {
  if (!D)
    return nullptr;
  if (const auto *FD = dyn_cast<FieldDecl>(D)) {
    const CXXRecordDecl *RD = dyn_cast<CXXRecordDecl>(FD->getParent());
    if (RD)
      if (const CXXRecordDecl *P = RD->getTemplateInstantiationPattern())
        for (const FieldDecl *F : P->fields())
          if (F->getDeclName() == FD->getDeclName())
            return F;
    return FD;
  }
  if (const auto *VD = dyn_cast<VarDecl>(D))
    return VD->getCanonicalDecl();
  return nullptr;
}

// The member or variable an expression designates: `stop_`, `this->stop_`,
// `pool->stop_`, `state.stop`, a captured local.
const Decl *identity(const Expr *E) {
  if (!E)
    return nullptr;
  E = stripWrappers(E);
  if (const auto *ME = dyn_cast<MemberExpr>(E))
    return canonField(ME->getMemberDecl());
  if (const auto *DR = dyn_cast<DeclRefExpr>(E))
    return canonField(DR->getDecl());
  return nullptr;
}

const Decl *identity(const ObjectKey &K) {
  return canonField(K.Path.empty() ? K.Root : K.Path.back());
}

std::string nameOf(const Decl *D) {
  if (const auto *ND = dyn_cast_or_null<NamedDecl>(D))
    return ND->getNameAsString();
  return "?";
}

// A read of a flag by a waiter: where, and which object it is in the terms
// of the function that reads it (none when the analysis cannot name it).
struct FlagRead {
  const Expr *E = nullptr;
  std::optional<ObjectKey> Key;
  // What the read decides: the test around the wait, or the predicate.
  Decider By;
};
using ReadMap = std::map<const Decl *, std::vector<FlagRead>>;

struct WaitSite {
  const Decl *Cv = nullptr;
  const Decl *Mutex = nullptr;
  const Expr *Call = nullptr;
  ReadMap Reads; // flag -> where it is read
  bool Predicate = false; // Reads come from the wait's predicate
  // A timed wait with a fixed deadline: a lost notify costs the rest of it.
  bool Deadline = false;
  // The lock is a parameter of the waiting function (`waitBeforeRead(lk)`):
  // its mutex comes from the callers.
  const FunctionDecl *LockFn = nullptr;
  unsigned LockParam = 0;
  const FunctionDecl *Fn = nullptr; // the function that waits
};

const FunctionDecl *canonFn(const FunctionDecl *FD) {
  if (!FD)
    return nullptr;
  if (const FunctionDecl *P = FD->getTemplateInstantiationPattern())
    FD = P;
  return FD->getCanonicalDecl();
}

// Every condition-variable wait of the TU (outside system headers).
class WaitIndexer : public RecursiveASTVisitor<WaitIndexer> {
public:
  WaitIndexer(ASTContext &AST, const ModelSet &Models,
              std::vector<WaitSite> &Out)
      : SM(AST.getSourceManager()), Models(Models), Out(Out) {}
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitLambdaBodies() const { return true; }

  bool TraverseDecl(Decl *D) {
    if (D && !isa<TranslationUnitDecl>(D) && inSystemHeader(D))
      return true;
    const auto *FD = dyn_cast_or_null<FunctionDecl>(D);
    if (FD && FD->doesThisDeclarationHaveABody()) {
      Bodies.push_back(FD->getBody());
      Fns.push_back(FD);
      bool R = RecursiveASTVisitor::TraverseDecl(D);
      Bodies.pop_back();
      Fns.pop_back();
      return R;
    }
    return RecursiveASTVisitor::TraverseDecl(D);
  }
  bool TraverseLambdaExpr(LambdaExpr *L) {
    Bodies.push_back(L->getBody());
    Fns.push_back(L->getCallOperator());
    bool R = RecursiveASTVisitor::TraverseLambdaExpr(L);
    Bodies.pop_back();
    Fns.pop_back();
    return R;
  }

  // Resolves waits whose lock is a parameter: every caller must pass a
  // guard of the same mutex.
  void finish() {
    for (WaitSite &W : Out) {
      if (W.Mutex || !W.LockFn)
        continue;
      auto It = PassedLocks.find({W.LockFn, W.LockParam});
      if (It != PassedLocks.end() && It->second.size() == 1 &&
          *It->second.begin())
        W.Mutex = *It->second.begin();
    }
    llvm::erase_if(Out, [](const WaitSite &W) { return !W.Mutex; });
  }

  bool VisitCallExpr(CallExpr *C) {
    if (Bodies.empty())
      return true;
    if (const FunctionDecl *Callee = C->getDirectCallee()) {
      if (!Fns.back()->isDependentContext())
        Callers[canonFn(Callee)].push_back({C, Fns.back()});
      unsigned Skip = isa<CXXOperatorCallExpr>(C) &&
                              isa<CXXMethodDecl>(Callee)
                          ? 1
                          : 0;
      for (unsigned I = Skip; I < C->getNumArgs(); ++I)
        if (isGuardType(C->getArg(I)->getType(), Models))
          PassedLocks[{canonFn(Callee), I - Skip}].insert(
              mutexOf(C->getArg(I)));
    }
    auto Op = matchBlockingOp(C, Models);
    if (!Op || Op->Released.empty() || !Op->Object)
      return true;
    WaitSite W;
    W.Call = C;
    W.Fn = Fns.back();
    W.Cv = identity(Op->Object);
    W.Mutex = mutexOf(Op->Released.front());
    if (!W.Mutex)
      if (const auto *DR = dyn_cast<DeclRefExpr>(
              stripWrappers(Op->Released.front())))
        if (const auto *PV = dyn_cast<ParmVarDecl>(DR->getDecl()))
          if (const auto *Fn =
                  dyn_cast<FunctionDecl>(PV->getDeclContext())) {
            W.LockFn = canonFn(Fn);
            W.LockParam = PV->getFunctionScopeIndex();
          }
    if (!W.Cv || (!W.Mutex && !W.LockFn))
      return true;
    // Arguments after the lock: a stop token (the wait wakes on stop
    // requests by itself), a timeout, a predicate.
    bool AfterLock = false, HasPred = false, Timed = false, Deadline = false;
    for (const Expr *A : C->arguments()) {
      if (A == Op->Released.front()) {
        AfterLock = true;
        continue;
      }
      if (!AfterLock)
        continue;
      const CXXRecordDecl *RD = designatedRecord(A->getType());
      if (RD && Models.cancelTokenForType(modelName(RD)))
        return true;
      const Expr *S = stripWrappers(A);
      if (const auto *L = dyn_cast<LambdaExpr>(S)) {
        HasPred = true;
        ObjectResolver R(L->getBody());
        reads(L->getBody(), W.Reads, R, 0, predicateDecision(L->getBody()));
      } else if (RD && RD->isLambda()) {
        HasPred = true; // a named lambda: `cv.wait(lk, ready)`
        if (const CXXMethodDecl *Call = RD->getLambdaCallOperator()) {
          ObjectResolver R(Call->getBody());
          reads(Call->getBody(), W.Reads, R, 0,
                predicateDecision(Call->getBody()));
        }
      } else if (RD && isDurationLike(RD)) {
        Timed = true;
        if (Models.isTimePointType(modelName(RD)) &&
            fixedDeadline(Bodies.back(), C, A))
          Deadline = true;
      } else if (RD || A->getType()->isFunctionPointerType()) {
        return true; // a predicate we cannot see into
      }
    }
    // A timed wait wakes up by itself: a lost notify costs one timeout, not
    // a thread — unless the timeout is a fixed deadline the caller gives
    // up at (`join(max_wait)` waiting for the workers to exit).
    if (Timed && !Deadline)
      return true;
    W.Predicate = HasPred;
    W.Deadline = Deadline;
    if (!HasPred) {
      // Only what decides whether to wait: the loop and tests around the
      // wait, not what the worker reads once it is done waiting.
      ObjectResolver R(Bodies.back());
      for (const Decider &D : waitDecision(Bodies.back(), C))
        reads(D.S, W.Reads, R, 0, D);
      // The waiting function's own locals are nobody else's flags.
      for (auto It = W.Reads.begin(); It != W.Reads.end();) {
        const auto *VD = dyn_cast<VarDecl>(It->first);
        bool Local = VD && VD->isLocalVarDeclOrParm() &&
                     contains(Bodies.back(), VD);
        It = Local ? W.Reads.erase(It) : std::next(It);
      }
    }
    if (!W.Reads.empty())
      Out.push_back(std::move(W));
    return true;
  }

private:
  static bool contains(const Stmt *Body, const VarDecl *VD) {
    SourceRange R = Body->getSourceRange();
    SourceLocation L = VD->getLocation();
    return R.getBegin() <= L && L <= R.getEnd();
  }

  static bool isDurationLike(const CXXRecordDecl *RD) {
    // std::chrono::duration / time_point: class templates whose first
    // argument is arithmetic or a clock. Anything without operator() is
    // not a predicate.
    if (!RD->hasDefinition())
      return true;
    for (const CXXMethodDecl *M : RD->getDefinition()->methods())
      if (M->getOverloadedOperator() == OO_Call)
        return false;
    return true;
  }

  const Decl *mutexOf(const Expr *Lock) {
    const Expr *S = stripWrappers(Lock);
    if (const auto *DR = dyn_cast<DeclRefExpr>(S))
      if (const auto *VD = dyn_cast<VarDecl>(DR->getDecl()))
        if (isGuardType(VD->getType(), Models)) {
          const Expr *Init = VD->getInit();
          const auto *CE =
              Init ? dyn_cast<CXXConstructExpr>(Init->IgnoreImplicit())
                   : nullptr;
          if (!CE)
            return nullptr;
          for (const Expr *A : CE->arguments())
            if (mutexModelOf(A->IgnoreParenImpCasts()->getType(), Models))
              return identity(A);
          return nullptr;
        }
    if (mutexModelOf(S->getType(), Models))
      return identity(S);
    return nullptr;
  }

  // Members and variables read in S; calls to member functions of the same
  // object are followed one level (`[this] { return done(); }`).
  void reads(const Stmt *S, ReadMap &Out, const ObjectResolver &R,
             int Depth, const Decider &By) {
    if (!S)
      return;
    if (const auto *E = dyn_cast<Expr>(S)) {
      if (isa<MemberExpr>(E) || isa<DeclRefExpr>(E))
        if (const Decl *D = identity(E)) {
          std::vector<FlagRead> &V = Out[D];
          if (V.size() < 8)
            V.push_back({E, R.keyOf(E), Depth ? Decider{} : By});
          else
            V.back().By = Decider{}; // not all of them kept: unsure
        }
      if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E))
        if (Depth < 1 && MC->getImplicitObjectArgument() &&
            isa<CXXThisExpr>(
                MC->getImplicitObjectArgument()->IgnoreParenImpCasts()))
          if (const CXXMethodDecl *MD = MC->getMethodDecl())
            if (const FunctionDecl *Def = MD->getDefinition()) {
              ObjectResolver DefR(Def->getBody());
              reads(Def->getBody(), Out, DefR, Depth + 1, By);
            }
    }
    for (const Stmt *C : S->children())
      reads(C, Out, R, Depth, By);
  }

  const SourceManager &SM;
  const ModelSet &Models;
  std::vector<WaitSite> &Out;
  std::vector<const Stmt *> Bodies;
  std::vector<const FunctionDecl *> Fns;

public:
  // Calls of each function of the TU: (call, calling function).
  std::map<const FunctionDecl *,
           std::vector<std::pair<const CallExpr *, const FunctionDecl *>>>
      Callers;

private:
  std::map<std::pair<const FunctionDecl *, unsigned>, std::set<const Decl *>>
      PassedLocks;
};

class CancelLostWakeupCheck : public Check {
public:
  const CheckInfo &info() const override {
    static const CheckInfo Info{
        "cancel-lost-wakeup",
        "A flag read by a condition-variable wait is set without the wait's "
        "mutex before notify: the wakeup can be lost.",
        "A waiter holds the mutex while it tests its predicate and releases "
        "it only inside wait(). A flag written without that mutex can change "
        "between the test and the wait, and the notify that follows reaches "
        "nobody: the waiter sleeps forever and the shutdown hangs in join(). "
        "Write the flag while holding the mutex the wait uses (an atomic "
        "flag too), then notify.",
        Severity::Warning};
    return Info;
  }

  void checkFunction(FunctionContext &Ctx) override {
    if (!Indexed) {
      Indexed = true;
      WaitIndexer Indexer(Ctx.ast(), Ctx.tu().Models, Waits);
      Indexer.TraverseDecl(Ctx.ast().getTranslationUnitDecl());
      Indexer.finish();
      Callers = std::move(Indexer.Callers);
    }
    if (Waits.empty())
      return;
    std::vector<Write> Writes;
    std::vector<const CXXMemberCallExpr *> Calls;
    collect(Ctx.function()->getBody(), Ctx.tu().Models, Writes, Calls);
    if (Calls.empty())
      return;
    ObjectResolver R(Ctx.function()->getBody());
    for (Write &W : Writes)
      W.Key = R.keyOf(W.Object);
    // Flags written by the helpers this function calls.
    std::vector<const CallExpr *> AllCalls;
    allCalls(Ctx.function()->getBody(), AllCalls);
    for (const CallExpr *C : AllCalls) {
      const FunctionDecl *Helper = factsCallee(C);
      if (!Helper || Helper == Ctx.function() ||
          Ctx.tu().facts().get(Helper).WritesFlag.empty())
        continue;
      std::optional<FunctionFacts> F = Ctx.tu().facts().atCall(C, R);
      if (!F)
        continue;
      for (const ObjectFact &O : F->WritesFlag)
        if (const Decl *D = O.Key ? identity(*O.Key) : nullptr) {
          Write W{D, C, nullptr, "set"};
          W.Key = O.Key;
          W.Helper = Helper;
          W.Fact = O;
          W.HelperFacts = F;
          Writes.push_back(std::move(W));
        }
    }
    if (Writes.empty())
      return;
    const ModelSet &Models = Ctx.tu().Models;
    const SourceManager &SM = Ctx.ast().getSourceManager();
    auto Before = [&](const Expr *A, const Expr *B) {
      return SM.isBeforeInTranslationUnit(A->getBeginLoc(), B->getBeginLoc());
    };
    auto IsNotify = [&](const CXXMemberCallExpr *MC, const Decl *Cv) {
      return identity(MC->getImplicitObjectArgument()) == Cv &&
             !MC->getMethodDecl()->isConst() && !matchBlockingOp(MC, Models);
    };
    const LockState *LS = nullptr;
    for (const Write &W : Writes) {
      for (const WaitSite &Site : Waits) {
        const FlagRead *Read = readOf(Site, W);
        if (!Read || !mayWake(Site, W, Ctx.ast(), Models))
          continue;
        // The notifies of the wait's condition variable around the write.
        const CXXMemberCallExpr *After = nullptr, *BeforeW = nullptr;
        for (const CXXMemberCallExpr *MC : Calls)
          if (IsNotify(MC, Site.Cv)) {
            if (Before(W.E, MC)) {
              if (!After)
                After = MC;
            } else {
              BeforeW = MC;
            }
          }
        if (!LS)
          LS = &Ctx.lockState();
        if (!LS->reached(W.E))
          continue; // in a catch handler or dead code: nothing is known
        if (!After && !BeforeW) {
          missingNotify(Ctx, W, Site, *Read, Calls);
          continue;
        }
        bool Guarded = false;
        for (const HeldLock &H : LS->heldAt(W.E))
          if (!H.Mutex || identity(*H.Mutex) == Site.Mutex)
            Guarded = true;
        // `stop = true; { lock_guard g(mu); } cv.notify_all();` is correct:
        // taking the mutex in between orders the write before the waiter's
        // next test. Taking it before an earlier notify does not help.
        if (After)
          for (const HeldLock &A : LS->acquisitions())
            if ((!A.Mutex || identity(*A.Mutex) == Site.Mutex) &&
                Before(W.E, A.Site) && Before(A.Site, After))
              Guarded = true;
        if (W.Helper &&
            helperGuards(*W.HelperFacts, W.Helper, Site, Ctx.tu().Models))
          Guarded = true;
        if (Guarded || calledOnlyUnder(Ctx, Site.Mutex))
          continue;
        report(Ctx, W, Site, *Read, After ? After : BeforeW, !After);
        break;
      }
    }
  }

private:
  struct Write {
    const Decl *Flag;
    const Expr *E;      // the write, or the call of the helper that writes
    const Expr *Object; // what the write designates (null for a helper)
    const char *Verb;   // "set", "updated"
    // The object written, in this function's terms.
    std::optional<ObjectKey> Key = std::nullopt;
    // The value stored, when the write names one (ObjectWrite::Value).
    const Expr *Value = nullptr;
    // A write in a helper: the helper, and the write there.
    const FunctionDecl *Helper = nullptr;
    std::optional<ObjectFact> Fact = std::nullopt;
    std::optional<FunctionFacts> HelperFacts = std::nullopt;
  };

  // The read of W's flag by the waiter of Site, if it may be the same
  // object: a member is compared by its field (the instances cannot be told
  // apart), but an object local to the writer or to the waiter is only
  // itself (ObjectKey.h: mayBeSameObject).
  static const FlagRead *readOf(const WaitSite &Site, const Write &W) {
    auto It = Site.Reads.find(W.Flag);
    if (It == Site.Reads.end())
      return nullptr;
    for (const FlagRead &Rd : It->second)
      if (!W.Key || !Rd.Key || mayBeSameObject(*W.Key, *Rd.Key))
        return &Rd;
    return nullptr;
  }

  // Can W end the wait of Site? Not when, under the value it stores,
  // every read of the flag that a woken waiter tests again before waiting
  // again pushes it towards going on waiting (`exit_ = false` where the
  // waiter loops while `!exit_`): such a write wakes nobody, so no wake-up
  // of it can be lost. Tests outside the innermost loop around the wait
  // are left out when that loop reads the flag itself.
  static bool mayWake(const WaitSite &Site, const Write &W,
                      const ASTContext &AST, const ModelSet &Models) {
    if (!W.Value)
      return true;
    auto It = Site.Reads.find(W.Flag);
    if (It == Site.Reads.end())
      return true;
    std::vector<const FlagRead *> Same;
    for (const FlagRead &Rd : It->second)
      if (!W.Key || !Rd.Key || mayBeSameObject(*W.Key, *Rd.Key))
        Same.push_back(&Rd);
    bool Inner = llvm::any_of(
        Same, [](const FlagRead *Rd) { return Rd->By.Rewaits; });
    for (const FlagRead *Rd : Same)
      if ((!Inner || Rd->By.Rewaits) &&
          mayRelease(Rd->By, Rd->E, W.Value, AST, Models))
        return true;
    return false;
  }

  // The waiter's steps, in a thread of their own: the finding is in the
  // function that writes the flag (thread 0).
  void readNotes(FunctionContext &Ctx, DiagBuilder &D, const std::string &Flag,
                 const WaitSite &Site, const FlagRead &Read) {
    D.thread(runningThreadLabel(Ctx.function()));
    unsigned Waiter = D.thread("thread waiting in " + describeFunction(Site.Fn));
    D.note(Read.E->getBeginLoc(),
           Site.Predicate ? "the wait's predicate reads '" + Flag +
                                "' here, holding '" + nameOf(Site.Mutex) +
                                "'"
                          : "the waiter reads '" + Flag + "' here",
           Waiter);
    D.note(Site.Call->getBeginLoc(), "and waits here", Waiter);
  }

  // A write without the wait's mutex, with a notify after it or only
  // before it: either way the waiter can test the flag, then sleep through
  // the notify.
  void report(FunctionContext &Ctx, const Write &W, const WaitSite &Site,
              const FlagRead &Read, const CXXMemberCallExpr *Notify,
              bool NotifyFirst) {
    std::string Flag = nameOf(W.Flag);
    std::string Tail =
        NotifyFirst
            ? "', the mutex of the wait on '" + nameOf(Site.Cv) +
                  "' that reads it, after that condition variable was "
                  "notified: a waiter that tested it before the write "
                  "sleeps forever, since no notify follows"
            : "', the mutex of the wait on '" + nameOf(Site.Cv) +
                  "' that reads it" +
                  (W.Helper ? ", and notified after the call" : "") +
                  ": the waiter can test it, miss the notify and sleep " +
                  (Site.Deadline ? "until its deadline" : "forever");
    const char *NotifyNote =
        NotifyFirst ? "the notify comes before the write" : "the notify that can be lost";
    if (W.Helper) {
      // Reported once, at the write (the line to fix), however many
      // functions call the helper before a notify.
      const Expr *At = W.Fact ? W.Fact->At.Op : nullptr;
      if (!ReportedHelperWrites.insert(At ? At : W.E).second)
        return;
      std::string In = W.Fact ? W.Fact->At.functionName()
                              : W.Helper->getQualifiedNameAsString();
      std::string Msg = "'" + Flag + "' is set in '" + In +
                        "' without holding '" + nameOf(Site.Mutex) + Tail;
      DiagBuilder D = Ctx.report(info(), At ? At->getBeginLoc()
                                            : W.E->getBeginLoc(),
                                 Msg, At ? At : W.E);
      if (At)
        D.range(At->getSourceRange());
      else if (W.Fact)
        D.at(W.Fact->At.Where);
      D.note(W.E->getBeginLoc(), "set through this call to '" +
                                     W.Helper->getNameAsString() + "'");
      readNotes(Ctx, D, Flag, Site, Read);
      D.note(Notify->getBeginLoc(), NotifyNote);
      return;
    }
    DiagBuilder D = Ctx.report(info(), W.E->getBeginLoc(),
                               "'" + Flag + "' is " + W.Verb +
                                   " without holding '" + nameOf(Site.Mutex) +
                                   Tail,
                               W.E);
    D.range(W.E->getSourceRange());
    readNotes(Ctx, D, Flag, Site, Read);
    D.note(Notify->getBeginLoc(), NotifyNote);
  }

  // The stop flag is set (under the mutex or not) by a shutdown function —
  // one that, after the write, notifies another condition variable whose
  // wait reads the flag, or joins a thread — and a condition variable of
  // the same object whose wait reads the flag is notified nowhere in it:
  // a thread waiting there is never woken. Only bool flags (the stop, done
  // and closed flags), only members of the object the function belongs to,
  // and only when everything the function calls is seen.
  void missingNotify(FunctionContext &Ctx, const Write &W,
                     const WaitSite &Site, const FlagRead &Read,
                     llvm::ArrayRef<const CXXMemberCallExpr *> Calls) {
    const auto *Flag = dyn_cast<FieldDecl>(W.Flag);
    const auto *Cv = dyn_cast<FieldDecl>(Site.Cv);
    if (!Flag || !Cv || !W.Key || !W.Key->ThisBased || !W.Key->Path.empty() ||
        Flag->getParent() != Cv->getParent())
      return;
    QualType T = Flag->getType();
    if (!T->isBooleanType() && !isAtomicBoolType(T, Ctx.tu().Models))
      return;
    const auto *MD = dyn_cast<CXXMethodDecl>(Ctx.function());
    if (!MD || MD->getParent()->isLambda())
      return;
    const FunctionFacts &F = Ctx.tu().facts().get(Ctx.function());
    if (F.Opaque)
      return;
    const SourceManager &SM = Ctx.ast().getSourceManager();
    // The shutdown step after the write: a notify of another condition
    // variable whose wait reads the flag, or a join.
    const Expr *Shutdown = nullptr;
    std::string What;
    for (const CXXMemberCallExpr *MC : Calls) {
      if (!SM.isBeforeInTranslationUnit(W.E->getBeginLoc(), MC->getBeginLoc()))
        continue;
      if (auto Op = matchBlockingOp(MC, Ctx.tu().Models)) {
        if (Op->What == "thread join") {
          Shutdown = MC;
          What = "joins";
          break;
        }
        continue;
      }
      const Decl *Other = identity(MC->getImplicitObjectArgument());
      if (!Other || Other == Site.Cv || MC->getMethodDecl()->isConst())
        continue;
      bool Waited = llvm::any_of(Waits, [&](const WaitSite &S) {
        return S.Cv == Other && readOf(S, W);
      });
      if (Waited) {
        Shutdown = MC;
        What = "notifies '" + nameOf(Other) + "'";
        break;
      }
    }
    if (!Shutdown || notifiesIn(Ctx.function()->getBody(), Site.Cv, 0))
      return;
    if (!ReportedMissing.insert({W.E, Site.Cv}).second)
      return;
    std::string Name = nameOf(W.Flag);
    DiagBuilder D = Ctx.report(
        info(), W.E->getBeginLoc(),
        "'" + Name + "' is " + W.Verb + " and '" +
            Ctx.function()->getNameAsString() + "' " + What + ", but '" +
            nameOf(Site.Cv) + "', whose wait reads '" + Name +
            "', is not notified: a thread waiting on it is never woken",
        W.E);
    D.range(W.E->getSourceRange());
    readNotes(Ctx, D, Name, Site, Read);
    D.note(Shutdown->getBeginLoc(), What == "joins"
                                        ? "the join that waits for it"
                                        : "only this condition variable is "
                                          "notified");
  }

  // Does S, or a function it calls (with a body here), notify Cv?
  static bool notifiesIn(const Stmt *S, const Decl *Cv, int Depth) {
    if (!S || Depth > 4)
      return false;
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S))
      if (identity(MC->getImplicitObjectArgument()) == Cv)
        return true;
    if (const auto *C = dyn_cast<CallExpr>(S))
      if (const FunctionDecl *Callee = factsCallee(C))
        if (Callee->hasBody() && notifiesIn(Callee->getBody(), Cv, Depth + 1))
          return true;
    for (const Stmt *Ch : S->children())
      if (notifiesIn(Ch, Cv, Depth))
        return true;
    return false;
  }

  static void allCalls(const Stmt *S, std::vector<const CallExpr *> &Out) {
    if (!S || isa<LambdaExpr>(S))
      return;
    if (const auto *C = dyn_cast<CallExpr>(S))
      Out.push_back(C);
    for (const Stmt *Ch : S->children())
      allCalls(Ch, Out);
  }

  // The helper may write under the wait's mutex (it, or its callees, take
  // it or a mutex the analysis cannot name), or notifies the waiter itself
  // (then the write is reported there, if at all).
  static bool helperGuards(const FunctionFacts &F, const FunctionDecl *Helper,
                           const WaitSite &Site, const ModelSet &Models) {
    for (const ObjectFact &A : F.Acquires)
      if (!A.Key || identity(*A.Key) == Site.Mutex)
        return true;
    if (F.Opaque)
      return true;
    std::vector<Write> Ignored;
    std::vector<const CXXMemberCallExpr *> HelperCalls;
    collect(Helper->getBody(), Models, Ignored, HelperCalls);
    for (const CXXMemberCallExpr *MC : HelperCalls)
      if (identity(MC->getImplicitObjectArgument()) == Site.Cv)
        return true;
    return false;
  }

  // The writes (ObjectWrites.h) and member calls of a body, lambdas left
  // out.
  static void collect(const Stmt *S, const ModelSet &Models,
                      std::vector<Write> &Writes,
                      std::vector<const CXXMemberCallExpr *> &Calls) {
    if (!S || isa<LambdaExpr>(S))
      return;
    if (const auto *E = dyn_cast<Expr>(S))
      if (std::optional<ObjectWrite> OW = objectWriteOf(E, Models))
        if (const Decl *D = identity(OW->Object)) {
          Writes.push_back({D, E, OW->Object, OW->verb()});
          Writes.back().Value = OW->Value;
        }
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S))
      if (MC->getMethodDecl())
        Calls.push_back(MC);
    for (const Stmt *C : S->children())
      collect(C, Models, Writes, Calls);
  }

  // A helper "called with the mutex held": every call of it in the TU holds
  // the wait's mutex.
  bool calledOnlyUnder(FunctionContext &Ctx, const Decl *Mutex) {
    auto It = Callers.find(canonFn(Ctx.function()));
    if (It == Callers.end() || It->second.empty())
      return false;
    for (const auto &[Call, Caller] : It->second) {
      auto &LS = CallerLocks[Caller];
      if (!LS)
        LS = std::make_unique<LockState>(Caller, Ctx.ast(), Ctx.tu().Models);
      if (!LS->reached(Call))
        continue;
      bool Held = false;
      for (const HeldLock &H : LS->heldAt(Call))
        if (!H.Mutex || identity(*H.Mutex) == Mutex)
          Held = true;
      if (!Held)
        return false;
    }
    return true;
  }

  bool Indexed = false;
  std::vector<WaitSite> Waits;
  std::map<const FunctionDecl *,
           std::vector<std::pair<const CallExpr *, const FunctionDecl *>>>
      Callers;
  std::map<const FunctionDecl *, std::unique_ptr<LockState>> CallerLocks;
  std::set<const Expr *> ReportedHelperWrites;
  std::set<std::pair<const Expr *, const Decl *>> ReportedMissing;
};

} // namespace

std::unique_ptr<Check> createCancelLostWakeupCheck() {
  return std::make_unique<CancelLostWakeupCheck>();
}

} // namespace tether
