// thread-unbounded-spawn: a thread is started for every iteration of a loop
// whose trip count depends on input (a container parameter or member, a
// count from a parameter, a stream, accept(), a queue or channel receive)
// and nothing limits how many run at once: no semaphore or counter with a
// wait, no join in the loop, no pool. A thread per connection or request.
// See docs/checks/thread-unbounded-spawn.md.
#include "core/Check.h"
#include "ASTHelpers.h"
#include "ChannelFlow.h"
#include "CountOrigin.h"
#include "LockState.h"
#include "ModelMatch.h"
#include "SpawnLoops.h"

#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"

#include <functional>
#include <set>

using namespace clang;

namespace tether {
namespace {

bool calleeNamed(const CallExpr *C, std::initializer_list<StringRef> Names) {
  return hasName(C ? C->getDirectCallee() : nullptr, Names);
}

// Where a loop's trip count comes from, when it comes from input.
struct InputSource {
  std::string What;     // "range over parameter 'requests'"
  SourceLocation Where; // the loop
  // A plain number (parameter, member, call result), not a container's
  // size, a range or items read one by one.
  bool IsCount = false;
  // One iteration per item read (accept, stream, queue, channel).
  bool ReadLoop = false;
};

class ThreadUnboundedSpawnCheck : public Check {
public:
  const CheckInfo &info() const override {
    static const CheckInfo Info{
        "thread-unbounded-spawn",
        "A thread is started for every iteration of an input-driven loop "
        "with nothing bounding how many run at once.",
        "One thread per request, connection, line or element: the number of "
        "threads grows with the input until the process runs out of memory "
        "or thread ids. Submit the work to a thread pool, acquire a "
        "std::counting_semaphore before each spawn (released when the "
        "thread ends), or join the threads in batches inside the loop.",
        Severity::Warning,
        {{"lightweight_types", OptionType::Globs, "boost::fibers::fiber",
          "spawn types (globs) cheap enough to start one per item"},
         {"report_fork_join", OptionType::Bool, "false",
          "also report fork-join loops over the caller's data"}}};
    return Info;
  }

  void checkFunction(FunctionContext &Ctx) override {
    const FunctionDecl *FD = Ctx.function();
    if (!FD || !FD->getBody() || FD->isDependentContext())
      return;
    SpawnLoops SL(Ctx);
    if (SL.spawns().empty())
      return;
    NameGlobs Light =
        globsOption(Ctx.tu().Options, info().Id, "lightweight_types");
    bool ReportForkJoin =
        boolOption(Ctx.tu().Options, info().Id, "report_fork_join");
    std::set<const Stmt *> Reported;
    for (const Spawn *SP : SL.spawns()) {
      const Spawn &S = *SP;
      // Filling the existing slots of a pre-sized container (a fixed-size
      // pool's `threads_[i] = std::thread(…)`) starts at most its size.
      if (S.IsPoolTask || !S.Site.Model || S.IntoSlot ||
          Light.matches(S.Site.Model->Type))
        continue;
      for (const Stmt *L : S.Loops) {
        const Expr *Why = nullptr;
        if (!SL.outlivesIteration(S, L, &Why))
          break;
        if (SL.joinedSomewhereIn(S, L) || bounded(Ctx, L, 0))
          break;
        if (auto In = inputSource(Ctx, L)) {
          // A number of workers started in a constructor, or kept in a
          // member or the caller's container, is the size of a worker pool,
          // not a thread per input item.
          // So is a count of identical workers that all run the same code
          // (they share a queue): a thread per item gets the item — the
          // counter or something declared in the loop.
          if (In->IsCount &&
              (isa<CXXConstructorDecl>(FD) ||
               (S.Storage && (S.Storage->ThisBased ||
                             isa_and_nonnull<ParmVarDecl>(S.StorageDecl))) ||
               !usesIterationData(SL, S, L)))
            break;
          // Fork-join over a container or a count: the threads go into a
          // local container that this function joins after the loop. The
          // caller sizes the input; reported only on request.
          if (!In->ReadLoop && !ReportForkJoin && S.StorageDecl &&
              isa<VarDecl>(S.StorageDecl) && !isa<ParmVarDecl>(S.StorageDecl) &&
              cast<VarDecl>(S.StorageDecl)->hasLocalStorage() &&
              (S.DestructorJoins || SL.joinedAfter(S, L)))
            break;
          if (Reported.insert(S.Site.Expr).second)
            report(Ctx, S, *In, Why);
          break;
        }
      }
    }
  }

private:
  // Does the spawn (callable, arguments, lambda body) refer to a variable
  // declared in Loop (its counter, a body variable)?
  static bool usesIterationData(const SpawnLoops &SL, const Spawn &S,
                                const Stmt *Loop) {
    std::function<bool(const Stmt *)> Walk = [&](const Stmt *X) -> bool {
      if (!X)
        return false;
      if (const auto *DR = dyn_cast<DeclRefExpr>(X))
        if (SL.declaredIn(DR->getDecl(), Loop))
          return true;
      if (const auto *L = dyn_cast<LambdaExpr>(X)) {
        for (const LambdaCapture &C : L->captures())
          if (C.capturesVariable() && SL.declaredIn(C.getCapturedVar(), Loop))
            return true;
        return Walk(L->getBody());
      }
      for (const Stmt *C : X->children())
        if (Walk(C))
          return true;
      return false;
    };
    return Walk(S.Site.Expr);
  }

  // --- bounds -------------------------------------------------------------

  // A wait in the loop body: semaphore acquire, condition-variable or latch
  // wait, a join or future wait of any thread, or a method called
  // acquire*/wait* on the project's own limiter. Calls into functions of
  // this TU are followed two levels deep.
  static bool isWait(FunctionContext &Ctx, const CallExpr *C, int Depth) {
    if (auto Op = matchBlockingOp(C, Ctx.tu().Models)) {
      StringRef W = Op->What;
      if (W == "semacquire" || W == "cond wait" || W == "latch wait" ||
          W == "thread join" || W == "future wait")
        return true;
    }
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(C))
      if (const CXXMethodDecl *MD = MC->getMethodDecl();
          MD && MD->getIdentifier() &&
          (MD->getName().starts_with("acquire") ||
           MD->getName().starts_with("try_acquire") ||
           MD->getName().starts_with("wait") || MD->getName() == "join"))
        return true;
    const FunctionDecl *Def = nullptr;
    if (Depth < 2 && C->getDirectCallee() &&
        C->getDirectCallee()->hasBody(Def) && Def != Ctx.function()) {
      if (inSystemHeader(Def))
        return false;
      return anyNode(Def->getBody(), [&](const Stmt *S) {
        const auto *Inner = dyn_cast<CallExpr>(S);
        return Inner && isWait(Ctx, Inner, Depth + 1);
      });
    }
    return false;
  }

  static bool exits(const Stmt *S) {
    return anyNode(S, [](const Stmt *X) {
      return isa<ContinueStmt, BreakStmt, ReturnStmt, CXXThrowExpr>(X);
    });
  }

  static bool isRelational(const Expr *E) {
    E = E->IgnoreParenImpCasts();
    if (const auto *BO = dyn_cast<BinaryOperator>(E))
      return BO->isRelationalOp();
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E))
      return Op->getOperator() == OO_Less || Op->getOperator() == OO_Greater ||
             Op->getOperator() == OO_LessEqual ||
             Op->getOperator() == OO_GreaterEqual;
    return false;
  }

  // A reference to an atomic, or to a variable or member that this
  // function counts up or down (also inside the threads it starts).
  static bool isCounter(FunctionContext &Ctx, const Stmt *S) {
    const ValueDecl *D = nullptr;
    if (const auto *DR = dyn_cast<DeclRefExpr>(S))
      D = DR->getDecl();
    else if (const auto *ME = dyn_cast<MemberExpr>(S))
      D = ME->getMemberDecl();
    if (!D || !isa<VarDecl, FieldDecl>(D))
      return false;
    if (const CXXRecordDecl *RD = D->getType()->getAsCXXRecordDecl())
      if (modelName(RD) == "std::atomic")
        return true;
    auto Names = [&](const Expr *E) {
      if (!E)
        return false;
      E = E->IgnoreParenImpCasts();
      if (const auto *DR = dyn_cast<DeclRefExpr>(E))
        return DR->getDecl() == D;
      if (const auto *ME = dyn_cast<MemberExpr>(E))
        return ME->getMemberDecl() == D;
      return false;
    };
    std::function<bool(const Stmt *)> Walk = [&](const Stmt *X) -> bool {
      if (!X)
        return false;
      if (const auto *U = dyn_cast<UnaryOperator>(X);
          U && U->isIncrementDecrementOp() && Names(U->getSubExpr()))
        return true;
      if (const auto *B = dyn_cast<CompoundAssignOperator>(X);
          B && Names(B->getLHS()))
        return true;
      for (const Stmt *C : X->children())
        if (Walk(C))
          return true;
      return false;
    };
    return Walk(Ctx.function()->getBody());
  }

  bool bounded(FunctionContext &Ctx, const Stmt *Loop, int) const {
    const Stmt *Body = SpawnLoops::loopBody(Loop);
    bool Found = anyNode(Body, [&](const Stmt *S) {
      if (const auto *C = dyn_cast<CallExpr>(S))
        return isWait(Ctx, C, 0);
      // Admission control: `if (active_ >= max_) { reject(); continue; }`
      // where active_ is a counter (atomic, or counted up and down in this
      // function).
      if (const auto *If = dyn_cast<IfStmt>(S))
        if (If->getCond() && exits(If->getThen()) &&
            anyNode(If->getCond(), [&](const Stmt *X) {
              const auto *E = dyn_cast<Expr>(X);
              return E && isRelational(E) && anyNode(E, [&](const Stmt *Y) {
                       return isCounter(Ctx, Y);
                     });
            }))
          return true;
      return false;
    });
    if (Found)
      return true;
    // `while (active_ < limit_)`-style loop conditions bound it too when
    // the compared value is not the input itself; handled by inputSource
    // (a relational condition against a constant is a constant bound).
    return false;
  }

  // --- input-dependent trip counts -----------------------------------------

  // Where a bound comes from: the shared answer of analysis/CountOrigin.
  using Bound = CountOrigin;

  // A relational loop condition `i < n`: constant if either side is a
  // constant, input if a side is.
  static std::optional<Bound> relationalBound(FunctionContext &Ctx,
                                              const Stmt *Loop,
                                              const Expr *Cond,
                                              std::string &Desc) {
    if (!Cond)
      return std::nullopt;
    Cond = Cond->IgnoreParenImpCasts();
    const Expr *L = nullptr, *R = nullptr;
    if (const auto *BO = dyn_cast<BinaryOperator>(Cond)) {
      if (BO->isLogicalOp()) {
        // `i < n && i < 8`: a constant part bounds the loop; `i < n || x`
        // is bounded by neither alone.
        std::string DL, DR;
        auto A = relationalBound(Ctx, Loop, BO->getLHS(), DL);
        auto B = relationalBound(Ctx, Loop, BO->getRHS(), DR);
        if (BO->getOpcode() == BO_LAnd &&
            ((A && *A == Bound::Constant) || (B && *B == Bound::Constant)))
          return Bound::Constant;
        if (BO->getOpcode() == BO_LOr)
          return std::nullopt;
        if (A) {
          Desc = DL;
          return A;
        }
        Desc = DR;
        return B;
      }
      if (!BO->isComparisonOp())
        return std::nullopt;
      L = BO->getLHS();
      R = BO->getRHS();
    } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Cond)) {
      if (Op->getNumArgs() != 2 || !isRelational(Op) &&
                                       Op->getOperator() != OO_ExclaimEqual)
        return std::nullopt;
      L = Op->getArg(0);
      R = Op->getArg(1);
    } else {
      return std::nullopt;
    }
    std::string DL, DR;
    // The counter itself (declared in the for's init, or changed in the
    // loop) says nothing about the bound.
    auto Counter = [&](const Expr *E) {
      const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
      if (!Ref)
        return false;
      const ValueDecl *V = Ref->getDecl();
      if (const auto *F = dyn_cast<ForStmt>(Loop))
        if (anyNode(F->getInit(), [&](const Stmt *S) {
              const auto *DS = dyn_cast<DeclStmt>(S);
              return DS && llvm::any_of(DS->decls(), [&](const Decl *D) {
                       return D == V;
                     });
            }))
          return true;
      return anyNode(Loop, [&](const Stmt *S) {
        const Expr *Target = nullptr;
        if (const auto *U = dyn_cast<UnaryOperator>(S); U && U->isIncrementDecrementOp())
          Target = U->getSubExpr();
        else if (const auto *B = dyn_cast<BinaryOperator>(S); B && B->isAssignmentOp())
          Target = B->getLHS();
        else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
                 Op && Op->getNumArgs() >= 1 &&
                 (Op->getOperator() == OO_PlusPlus ||
                  Op->getOperator() == OO_MinusMinus ||
                  Op->getOperator() == OO_PlusEqual ||
                  Op->getOperator() == OO_Equal))
          Target = Op->getArg(0);
        const auto *T = dyn_cast_or_null<DeclRefExpr>(
            Target ? Target->IgnoreParenImpCasts() : nullptr);
        return T && T->getDecl() == V;
      });
    };
    Bound A = Counter(L) ? Bound::Unknown : countOrigin(L, Ctx.ast(), DL);
    Bound B = Counter(R) ? Bound::Unknown : countOrigin(R, Ctx.ast(), DR);
    // Iterator loops: `it != items.end()`.
    auto EndOf = [&](const Expr *E, std::string &D) {
      if (const auto *MC =
              dyn_cast<CXXMemberCallExpr>(E->IgnoreParenImpCasts()))
        if (calleeNamed(MC, {"end", "cend"})) {
          std::string Inner;
          if (countOrigin(MC->getImplicitObjectArgument(), Ctx.ast(),
                          Inner) == Bound::Input) {
            D = "the size of " + Inner;
            return true;
          }
        }
      return false;
    };
    if (A == Bound::Constant || B == Bound::Constant)
      return Bound::Constant;
    if (EndOf(R, Desc) || EndOf(L, Desc))
      return Bound::Input;
    if (B == Bound::Input) {
      Desc = DR;
      return Bound::Input;
    }
    if (A == Bound::Input) {
      Desc = DL;
      return Bound::Input;
    }
    return Bound::Unknown;
  }

  // Reads one item of input: accept(), a socket or stream read, a queue pop,
  // a channel receive.
  static bool readsInput(FunctionContext &Ctx, const CallExpr *C) {
    if (auto Op = matchChanOp(C, Ctx.tu().Models))
      if (isReceiveOp(Op->Kind))
        return true;
    if (auto Op = matchBlockingOp(C, Ctx.tu().Models))
      if (Op->What == "IO wait" || Op->What == "channel receive" ||
          Op->What == "chan receive")
        return true;
    if (calleeNamed(C, {"accept", "accept4", "pop", "try_pop", "wait_pop",
                        "wait_and_pop", "wait_dequeue", "pull", "wait_pull",
                        "receive", "recv", "recvfrom", "read", "read_some",
                        "getline", "Next", "dequeue", "take"}))
      return true;
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(C))
      if (Op->getOperator() == OO_GreaterGreater && Op->getNumArgs() == 2)
        if (const CXXRecordDecl *RD = designatedRecord(Op->getArg(0)->getType()))
          if (modelName(RD).find("istream") != std::string::npos ||
              modelName(RD).find("stream") != std::string::npos)
            return true;
    return false;
  }

  std::optional<InputSource> inputSource(FunctionContext &Ctx,
                                         const Stmt *Loop) const {
    InputSource In;
    In.Where = Loop->getBeginLoc();
    if (const auto *R = dyn_cast<CXXForRangeStmt>(Loop)) {
      const Expr *Range = R->getRangeInit();
      if (!Range)
        return std::nullopt;
      std::string Desc;
      if (countOrigin(Range, Ctx.ast(), Desc) == Bound::Input) {
        In.What = "a range over " + Desc;
        return In;
      }
      return std::nullopt;
    }
    const Expr *Cond = nullptr;
    if (const auto *F = dyn_cast<ForStmt>(Loop))
      Cond = F->getCond();
    else if (const auto *W = dyn_cast<WhileStmt>(Loop))
      Cond = W->getCond();
    else if (const auto *D = dyn_cast<DoStmt>(Loop))
      Cond = D->getCond();
    // Chunks whose size scales with the input: as many iterations as
    // chunks, not as items.
    if (chunksItsInput(dyn_cast<ForStmt>(Loop)))
      return std::nullopt;
    std::string Desc;
    if (auto B = relationalBound(Ctx, Loop, Cond, Desc)) {
      if (*B == Bound::Input) {
        In.What = "a count from " + Desc;
        In.IsCount = !llvm::StringRef(Desc).starts_with("the size of") &&
                     !llvm::StringRef(Desc).contains("(from the size of");
        return In;
      }
      if (*B == Bound::Constant)
        return std::nullopt;
    }
    // One iteration per item read: in the condition or in the body.
    auto Reads = [&](const Stmt *S) {
      return anyNode(S, [&](const Stmt *X) {
        const auto *C = dyn_cast<CallExpr>(X);
        return C && readsInput(Ctx, C);
      });
    };
    const VarDecl *CondVar = nullptr;
    if (const auto *W = dyn_cast<WhileStmt>(Loop))
      CondVar = W->getConditionVariable();
    else if (const auto *F = dyn_cast<ForStmt>(Loop))
      CondVar = F->getConditionVariable();
    if (Reads(Cond) || (CondVar && Reads(CondVar->getInit()))) {
      In.What = "one iteration per item read in the loop condition";
      In.ReadLoop = true;
      return In;
    }
    if (Reads(SpawnLoops::loopBody(Loop))) {
      In.What = "one iteration per item read in the loop";
      In.ReadLoop = true;
      return In;
    }
    return std::nullopt;
  }

  void report(FunctionContext &Ctx, const Spawn &S,
              const InputSource &In, const Expr *Why) {
    std::string Msg = "a thread is started for every iteration of a loop "
                      "driven by input (" +
                      In.What +
                      ") and nothing bounds how many run at once";
    DiagBuilder D = Ctx.report(info(), S.Site.Expr->getBeginLoc(), Msg,
                               S.Site.Expr);
    D.note(In.Where, "loop whose trip count depends on input");
    if (Why && Why != S.Site.Expr) {
      if (S.Fate == HandleFate::Detached)
        D.note(Why->getExprLoc(), "the thread is detached here");
      else if (S.Storage)
        D.note(Why->getExprLoc(),
               "threads accumulate in '" + S.Storage->describe() +
                   "' until after the loop");
    } else if (S.Fate == HandleFate::InContainer && S.Storage) {
      D.note(S.Site.Expr->getBeginLoc(),
             "threads accumulate in '" + S.Storage->describe() +
                 "' until after the loop");
    }
  }
};

} // namespace

std::unique_ptr<Check> createThreadUnboundedSpawnCheck() {
  return std::make_unique<ThreadUnboundedSpawnCheck>();
}

} // namespace tether
