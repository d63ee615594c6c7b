// cancel-lost: the C++ form of go vet's lostcancel. A local cancellation
// source hands out tokens, but on some path from its definition to a
// function exit nothing requests stop and the source is not passed on: the
// tokens can never fire once it goes out of scope. The search mirrors
// lostcancel: find the definitions, search the CFG from each to the exits,
// report the definition and the return that misses the request.
// See docs/checks/cancel-lost.md.
#include "CancelSource.h"
#include "core/Check.h"
#include "ModelMatch.h"

#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Analysis/CFG.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"

#include <memory>
#include <set>

using namespace clang;

namespace tether {
namespace {

struct LostPath {
  const Stmt *Def = nullptr;     // the definition's statement
  const Stmt *Handout = nullptr; // a token handed out on the path
  const Stmt *Return = nullptr;  // the return that leaves, if any
};

class CancelLostCheck : public Check {
public:
  const CheckInfo &info() const override {
    static const CheckInfo Info{
        "cancel-lost",
        "A local stop source hands out tokens but is not requested to stop "
        "on every path.",
        "A stop source (std::stop_source, folly::CancellationSource, asio "
        "cancellation_signal) created in a function gave its tokens to other "
        "code, but some path leaves the function without requesting stop "
        "and without passing the source on. After it goes out of scope "
        "nothing can ever stop the work holding those tokens. Request stop "
        "on every path (an RAII guard, or std::jthread, whose destructor "
        "requests it), or move the source to an owner that outlives the "
        "function.",
        Severity::Warning};
    return Info;
  }

  void checkFunction(FunctionContext &Ctx) override {
    const FunctionDecl *FD = Ctx.function();
    const Stmt *Body = FD ? FD->getBody() : nullptr;
    if (!Body)
      return;
    const ModelSet &Models = Ctx.tu().Models;
    auto Sources = localSources(Body, Models);
    if (Sources.empty())
      return;
    const CFG *G = nullptr;
    std::set<const Stmt *> Waits;
    collectWaits(Body, Models, nullptr, Waits);
    for (const auto &[VD, M] : Sources) {
      std::vector<SourceRef> Refs = sourceRefs(Body, VD, *M, Models);
      std::set<const Stmt *> Uses, Handouts;
      for (const SourceRef &R : Refs)
        if (R.Kind == SourceRefKind::Use)
          Uses.insert(R.Node);
        else if (R.Kind == SourceRefKind::Handout)
          Handouts.insert(R.Node);
      if (Handouts.empty())
        continue; // no token ever left: nothing can wait on it
      if (Uses.empty() && receivesToken(FD, Models) &&
          llvm::all_of(Refs, [](const SourceRef &R) {
            return R.Kind != SourceRefKind::Handout || R.Argument;
          }))
        continue; // a token given in place of the received one:
                  // cancel-dropped-token reports the call
      // A node that both uses and hands out (a lambda that takes a token
      // and requests stop) is a use.
      for (const Stmt *U : Uses)
        Handouts.erase(U);
      if (!G) {
        G = Ctx.cfg(CFGKind::Statements);
        if (!G)
          return;
      }
      if (std::optional<LostPath> Lost = search(*G, VD, Uses, Handouts, Waits))
        report(Ctx, FD, VD, *Lost);
    }
  }

private:
  static bool receivesToken(const FunctionDecl *FD, const ModelSet &Models) {
    for (const ParmVarDecl *P : FD->parameters())
      if (cancelTokenModelOf(P->getType(), Models))
        return true;
    return false;
  }

  // Joins of threads and waits for futures (matchHandleOp), event loops run
  // to completion (a blocking model's waits_for_work), and the loops
  // that hold them (`for (auto &t : threads) t.join();` as a whole): after
  // one, the work that held the tokens has ended.
  static void collectWaits(const Stmt *S, const ModelSet &Models,
                           const Stmt *Loop, std::set<const Stmt *> &Out) {
    if (!S || isa<LambdaExpr>(S))
      return;
    if (const auto *E = dyn_cast<Expr>(S))
      if (auto Op = matchHandleOp(E, Models);
          Op && Op->Kind == HandleOpKind::Join) {
        Out.insert(S);
        if (Loop)
          Out.insert(Loop);
      }
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S))
      if (runsAllWork(MC, Models)) {
        Out.insert(S);
        if (Loop)
          Out.insert(Loop);
      }
    if (isa<ForStmt, CXXForRangeStmt, WhileStmt, DoStmt>(S))
      Loop = S;
    for (const Stmt *C : S->children())
      collectWaits(C, Models, Loop, Out);
  }

  static bool defines(const Stmt *S, const VarDecl *VD) {
    const auto *DS = dyn_cast_or_null<DeclStmt>(S);
    if (!DS)
      return false;
    for (const Decl *D : DS->decls())
      if (D == VD)
        return true;
    return false;
  }

  // How a block that flows into the exit leaves the function: a return (R
  // set), falling off the end (nullopt R, true), or in a way that does not
  // count (a throw, a noreturn call).
  static bool leavesNormally(const CFGBlock *B, const Stmt *&Ret) {
    Ret = nullptr;
    if (B->hasNoReturnElement())
      return false;
    if (const Stmt *T = B->getTerminatorStmt(); T && isa<CXXThrowExpr>(T))
      return false;
    for (auto It = B->rbegin(); It != B->rend(); ++It)
      if (auto CS = It->getAs<CFGStmt>()) {
        const Stmt *S = CS->getStmt();
        if (isa<ReturnStmt, CoreturnStmt>(S)) {
          Ret = S;
          return true;
        }
        if (isa<CXXThrowExpr>(S))
          return false;
      }
    return true;
  }

  // Depth-first search from the definition for a path to an exit on which
  // a token is handed out and the source is never used afterwards.
  static std::optional<LostPath> search(const CFG &G, const VarDecl *VD,
                                        const std::set<const Stmt *> &Uses,
                                        const std::set<const Stmt *> &Handouts,
                                        const std::set<const Stmt *> &Waits) {
    const CFGBlock *DefBlock = nullptr;
    const Stmt *Def = nullptr;
    unsigned DefIndex = 0;
    for (const CFGBlock *B : G) {
      unsigned I = 0;
      for (const CFGElement &E : *B) {
        if (auto CS = E.getAs<CFGStmt>())
          if (defines(CS->getStmt(), VD)) {
            DefBlock = B;
            DefIndex = I;
            Def = CS->getStmt();
          }
        ++I;
      }
      if (DefBlock)
        break;
    }
    if (!DefBlock)
      return std::nullopt; // unreachable or not in the CFG: nothing known
    struct Item {
      const CFGBlock *B;
      unsigned From;
      const Stmt *Handout; // the hand-out that made the path interesting
    };
    std::vector<Item> Work{{DefBlock, DefIndex + 1, nullptr}};
    std::set<std::pair<unsigned, bool>> Seen;
    const CFGBlock *Exit = &G.getExit();
    while (!Work.empty()) {
      Item It = Work.back();
      Work.pop_back();
      bool Used = false;
      unsigned I = 0;
      for (const CFGElement &E : *It.B) {
        if (I++ < It.From)
          continue;
        auto CS = E.getAs<CFGStmt>();
        if (!CS)
          continue;
        const Stmt *S = CS->getStmt();
        if (Uses.count(S) || (It.Handout && Waits.count(S))) {
          Used = true;
          break;
        }
        if (!It.Handout && Handouts.count(S))
          It.Handout = S;
      }
      if (const Stmt *T = It.B->getTerminatorStmt();
          T && It.Handout && Waits.count(T))
        Used = true; // a loop that joins the workers
      if (Used)
        continue; // this path requests or passes the source on, or waits
                  // for the work
      for (const CFGBlock::AdjacentBlock &Succ : It.B->succs()) {
        const CFGBlock *S = Succ.getReachableBlock();
        if (!S)
          continue;
        if (S == Exit) {
          const Stmt *Ret = nullptr;
          if (It.Handout && leavesNormally(It.B, Ret))
            return LostPath{Def, It.Handout, Ret};
          continue;
        }
        if (Seen.insert({S->getBlockID(), It.Handout != nullptr}).second)
          Work.push_back({S, 0, It.Handout});
      }
    }
    return std::nullopt;
  }

  void report(FunctionContext &Ctx, const FunctionDecl *FD, const VarDecl *VD,
              const LostPath &Lost) {
    std::string Name = VD->getIdentifier() ? VD->getName().str() : "?";
    DiagBuilder D = Ctx.report(
        info(), VD->getLocation(),
        "the stop source '" + Name +
            "' is not requested to stop on all paths; the tokens it handed "
            "out can never fire once it goes out of scope",
        Lost.Def);
    D.range(VD->getSourceRange());
    if (Lost.Handout)
      D.note(Lost.Handout->getBeginLoc(), "a token is handed out here");
    if (Lost.Return)
      D.note(Lost.Return->getBeginLoc(),
             "this return statement may be reached without requesting stop");
    else if (const auto *CS = dyn_cast<CompoundStmt>(FD->getBody()))
      D.note(CS->getRBracLoc(),
             "the end of the function may be reached without requesting "
             "stop");
  }
};

} // namespace

std::unique_ptr<Check> createCancelLostCheck() {
  return std::make_unique<CancelLostCheck>();
}

} // namespace tether
