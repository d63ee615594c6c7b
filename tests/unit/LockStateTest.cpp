// The lock-state analysis on small functions: which mutexes are held at each
// `probe(N)` call.
#include "ApiModel.h"
#include "LockState.h"

#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Frontend/ASTUnit.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

using namespace clang;

namespace {

const char *Prelude = R"(
#include <mutex>
#include <shared_mutex>
void probe(int);
)";

struct Finder : RecursiveASTVisitor<Finder> {
  std::vector<const FunctionDecl *> Fns;
  bool VisitFunctionDecl(FunctionDecl *FD) {
    if (FD->doesThisDeclarationHaveABody() &&
        FD->getASTContext().getSourceManager().isInMainFile(FD->getLocation()))
      Fns.push_back(FD);
    return true;
  }
};

struct Probe : RecursiveASTVisitor<Probe> {
  std::map<int, const CallExpr *> Calls;
  bool VisitCallExpr(CallExpr *C) {
    if (const FunctionDecl *F = C->getDirectCallee())
      if (F->getIdentifier() && F->getName() == "probe" && C->getNumArgs() == 1)
        if (const auto *IL = dyn_cast<IntegerLiteral>(
                C->getArg(0)->IgnoreParenImpCasts()))
          Calls[int(IL->getValue().getZExtValue())] = C;
    return true;
  }
};

// probe number -> sorted "mutex" names held there, for every function.
std::map<int, std::vector<std::string>> heldAtProbes(const std::string &Code) {
  static tether::ModelSet Models = [] {
    tether::ModelSet M;
    M.addBuiltins(llvm::errs());
    return M;
  }();
  std::unique_ptr<ASTUnit> AST = tooling::buildASTFromCodeWithArgs(
      std::string(Prelude) + Code, {"-std=c++20"}, "input.cpp");
  EXPECT_TRUE(AST);
  EXPECT_FALSE(AST->getDiagnostics().hasErrorOccurred());
  std::map<int, std::vector<std::string>> Out;
  Finder F;
  F.TraverseDecl(AST->getASTContext().getTranslationUnitDecl());
  for (const FunctionDecl *FD : F.Fns) {
    tether::LockState LS(FD, AST->getASTContext(), Models);
    Probe P;
    P.TraverseStmt(FD->getBody());
    for (auto &[N, Call] : P.Calls) {
      std::vector<std::string> Names;
      for (const tether::HeldLock &H : LS.heldAt(Call))
        Names.push_back(H.Mutex ? H.Mutex->describe() : "?");
      std::sort(Names.begin(), Names.end());
      Out[N] = Names;
    }
  }
  return Out;
}

using V = std::vector<std::string>;

TEST(LockState, LockGuardScope) {
  auto H = heldAtProbes(R"(
    std::mutex m;
    void f() {
      probe(0);
      {
        std::lock_guard<std::mutex> g(m);
        probe(1);
      }
      probe(2);
    })");
  EXPECT_EQ(H[0], V{});
  EXPECT_EQ(H[1], V{"m"});
  EXPECT_EQ(H[2], V{});
}

TEST(LockState, UniqueLockDeferLockUnlock) {
  auto H = heldAtProbes(R"(
    void f(std::mutex &m) {
      std::unique_lock<std::mutex> lk(m, std::defer_lock);
      probe(0);
      lk.lock();
      probe(1);
      lk.unlock();
      probe(2);
      lk.lock();
      probe(3);
    })");
  EXPECT_EQ(H[0], V{});
  EXPECT_EQ(H[1], V{"m"});
  EXPECT_EQ(H[2], V{});
  EXPECT_EQ(H[3], V{"m"});
}

TEST(LockState, TryToLockHeldOnlyWhereOwned) {
  auto H = heldAtProbes(R"(
    void f(std::mutex &m) {
      std::unique_lock<std::mutex> lk(m, std::try_to_lock);
      probe(0);
      if (lk.owns_lock())
        probe(1);
      else
        probe(2);
      if (!lk) probe(3); else probe(4);
      if (m.try_lock()) { probe(5); m.unlock(); }
    })");
  EXPECT_EQ(H[0], V{});
  EXPECT_EQ(H[1], V{"m"});
  EXPECT_EQ(H[2], V{});
  EXPECT_EQ(H[3], V{});
  EXPECT_EQ(H[4], V{"m"});
  EXPECT_EQ(H[5], V{"m"});
}

TEST(LockState, AdoptAndManual) {
  auto H = heldAtProbes(R"(
    void f(std::mutex &m) {
      m.lock();
      probe(0);
      {
        std::lock_guard<std::mutex> g(m, std::adopt_lock);
        probe(1);
      }
      probe(2);
    })");
  EXPECT_EQ(H[0], V{"m"});
  EXPECT_EQ(H[1], V{"m"});
  EXPECT_EQ(H[2], V{}); // the adopting guard released it
}

TEST(LockState, MovesTransferOwnership) {
  auto H = heldAtProbes(R"(
    void f(std::mutex &m) {
      std::unique_lock<std::mutex> lk(m);
      {
        std::unique_lock<std::mutex> inner(std::move(lk));
        probe(0);
      }
      probe(1);
      std::unique_lock<std::mutex> other;
      lk = std::unique_lock<std::mutex>(m);
      other = std::move(lk);
      probe(2);
    })");
  EXPECT_EQ(H[0], V{"m"});
  EXPECT_EQ(H[1], V{});
  EXPECT_EQ(H[2], V{"m"});
}

TEST(LockState, ScopedAndSharedLocksMembers) {
  auto H = heldAtProbes(R"(
    struct S {
      std::mutex a, b;
      std::shared_mutex rw;
      void f() {
        {
          std::scoped_lock both(a, b);
          probe(0);
        }
        std::shared_lock<std::shared_mutex> r(rw);
        probe(1);
      }
    };)");
  EXPECT_EQ(H[0], (V{"this->a", "this->b"}));
  EXPECT_EQ(H[1], V{"this->rw"});
}

TEST(LockState, LoopsBranchesAndExits) {
  auto H = heldAtProbes(R"(
    void f(std::mutex &m, int n, bool c) {
      for (int i = 0; i < n; ++i) {
        probe(0);
        std::lock_guard<std::mutex> g(m);
        if (i == 3)
          break;
        probe(1);
      }
      probe(2);
      std::unique_lock<std::mutex> lk(m, std::defer_lock);
      if (c)
        lk.lock();
      probe(3); // only on one path
    })");
  EXPECT_EQ(H[0], V{});
  EXPECT_EQ(H[1], V{"m"});
  EXPECT_EQ(H[2], V{});
  EXPECT_EQ(H[3], V{});
}

TEST(LockState, GuardHandedToCalleeIsUnknown) {
  auto H = heldAtProbes(R"(
    void helper(std::unique_lock<std::mutex> &lk);
    void peek(const std::unique_lock<std::mutex> &lk);
    void f(std::mutex &m) {
      std::unique_lock<std::mutex> lk(m);
      peek(lk);
      probe(0);
      helper(lk);
      probe(1);
    })");
  EXPECT_EQ(H[0], V{"m"});
  EXPECT_EQ(H[1], V{});
}

// A callee whose body only waits with the guard (the wait re-acquires
// before it returns) gives it back locked; one that unlocks it, moves it or
// hands it on to an unknown function does not.
TEST(LockState, GuardHandedToCalleeThatOnlyWaits) {
  auto H = heldAtProbes(R"(
    #include <condition_variable>
    struct Chan {
      std::mutex mu;
      std::condition_variable cv;
      int size = 0;
      void waitRoom(std::unique_lock<std::mutex> &lk) {
        if (size == 8 && lk.owns_lock())
          cv.wait(lk, [this] { return size < 8; });
      }
      void waitTwice(std::unique_lock<std::mutex> &lk) { waitRoom(lk); cv.wait(lk); }
      void release(std::unique_lock<std::mutex> &lk) { lk.unlock(); }
      void passOn(std::unique_lock<std::mutex> &lk);
      void put() {
        std::unique_lock<std::mutex> lk(mu);
        waitRoom(lk);
        probe(0);
        waitTwice(lk);
        probe(1);
        release(lk);
        probe(2);
      }
      void put2() {
        std::unique_lock<std::mutex> lk(mu);
        passOn(lk);
        probe(3);
      }
    };)");
  EXPECT_EQ(H[0], V{"this->mu"});
  EXPECT_EQ(H[1], V{"this->mu"});
  EXPECT_EQ(H[2], V{});
  EXPECT_EQ(H[3], V{});
}

} // namespace
