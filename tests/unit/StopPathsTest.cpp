// StopPaths on small programs: which expressions are stop queries, which
// loops run forever, and which exits another thread can trigger. Each test
// looks at the first loop of the function (or lambda inside it) named `f`.
#include "ApiModel.h"
#include "StopPaths.h"

#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Frontend/ASTUnit.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

using namespace clang;
using tether::StopDriver;

namespace {

const char *Prelude = R"(
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <queue>
#include <stop_token>
#include <thread>
#include <msd/channel.hpp>
struct Job { bool is_stop() const; int id; };
Job next_job();
void run(const Job &);
bool process(int);
)";

const tether::ModelSet &models() {
  static tether::ModelSet M = [] {
    tether::ModelSet S;
    S.addBuiltins(llvm::errs());
    tether::ApiModel Boost;
    Boost.Library = "test-interruption";
    Boost.Cancellation.InterruptionPoints.push_back("test::interruption_point");
    S.add(Boost);
    return S;
  }();
  return M;
}

// The first loop under the function named `f`, and the function (or lambda
// operator) whose body holds it.
struct LoopFinder : RecursiveASTVisitor<LoopFinder> {
  bool shouldVisitLambdaBodies() const { return true; }
  const Stmt *Loop = nullptr;
  const FunctionDecl *Fn = nullptr;
  std::vector<const FunctionDecl *> Stack;
  bool InF = false;

  bool TraverseFunctionDecl(FunctionDecl *FD) {
    bool Outer = InF;
    if (FD->getIdentifier() && FD->getName() == "f")
      InF = true;
    Stack.push_back(FD);
    bool R = RecursiveASTVisitor::TraverseFunctionDecl(FD);
    Stack.pop_back();
    InF = Outer;
    return R;
  }
  bool TraverseCXXMethodDecl(CXXMethodDecl *FD) {
    bool Outer = InF;
    if (FD->getIdentifier() && FD->getName() == "f")
      InF = true;
    Stack.push_back(FD);
    bool R = RecursiveASTVisitor::TraverseCXXMethodDecl(FD);
    Stack.pop_back();
    InF = Outer;
    return R;
  }
  bool TraverseLambdaExpr(LambdaExpr *L) {
    Stack.push_back(L->getCallOperator());
    bool R = RecursiveASTVisitor::TraverseLambdaExpr(L);
    Stack.pop_back();
    return R;
  }
  bool VisitStmt(Stmt *S) {
    if (InF && !Loop &&
        isa<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt>(S)) {
      Loop = S;
      Fn = Stack.back();
    }
    return true;
  }
};

struct Result {
  bool Forever = false;
  bool CanEnd = false;
  std::optional<StopDriver> StopExit;
};

Result analyse(const std::string &Code) {
  std::string Include = std::string(TETHER_SOURCE_DIR) + "/tests/checks/include";
  std::unique_ptr<ASTUnit> AST = tooling::buildASTFromCodeWithArgs(
      std::string(Prelude) + Code, {"-std=c++20", "-I" + Include},
      "input.cpp");
  EXPECT_TRUE(AST);
  EXPECT_FALSE(AST->getDiagnostics().hasErrorOccurred());
  LoopFinder F;
  F.TraverseDecl(AST->getASTContext().getTranslationUnitDecl());
  EXPECT_TRUE(F.Loop) << "no loop in f";
  Result R;
  if (!F.Loop)
    return R;
  tether::StopPaths SP(AST->getASTContext(), models());
  R.Forever = SP.isForeverLoop(F.Loop, F.Fn);
  R.CanEnd = SP.loopCanEnd(F.Loop, F.Fn);
  if (auto X = SP.loopHasStopExit(F.Loop, F.Fn))
    R.StopExit = X->Driver;
  return R;
}

TEST(StopPaths, ForeverLoopWithoutExit) {
  auto R = analyse(R"(
    std::queue<int> q;
    void f() { for (;;) { run(next_job()); } })");
  EXPECT_TRUE(R.Forever);
  EXPECT_FALSE(R.CanEnd);
  EXPECT_FALSE(R.StopExit);
}

TEST(StopPaths, WhileTrueIgnoringToken) {
  auto R = analyse(R"(
    void f(std::stop_token st) { while (true) { run(next_job()); } })");
  EXPECT_TRUE(R.Forever);
  EXPECT_FALSE(R.StopExit);
}

TEST(StopPaths, TokenQueryInCondition) {
  auto R = analyse(R"(
    void f(std::stop_token st) { while (!st.stop_requested()) run(next_job()); })");
  EXPECT_FALSE(R.Forever);
  EXPECT_EQ(R.StopExit, StopDriver::TokenQuery);
}

TEST(StopPaths, TokenQueryInLambdaBreak) {
  auto R = analyse(R"(
    void f() {
      std::jthread t([](std::stop_token st) {
        for (;;) {
          run(next_job());
          if (st.stop_requested()) break;
        }
      });
    })");
  EXPECT_TRUE(R.Forever);
  EXPECT_EQ(R.StopExit, StopDriver::TokenQuery);
}

TEST(StopPaths, StopSourceQuery) {
  auto R = analyse(R"(
    std::stop_source src;
    void f() { for (;;) { if (src.stop_requested()) return; run(next_job()); } })");
  EXPECT_EQ(R.StopExit, StopDriver::SourceQuery);
}

TEST(StopPaths, AtomicStopFlagMember) {
  auto R = analyse(R"(
    struct W {
      std::atomic<bool> stop_{false};
      void f() { for (;;) { if (stop_.load()) return; run(next_job()); } }
    };)");
  EXPECT_TRUE(R.Forever);
  EXPECT_EQ(R.StopExit, StopDriver::StopFlag);
}

TEST(StopPaths, ImplicitAtomicConversionInCondition) {
  auto R = analyse(R"(
    struct W {
      std::atomic<bool> running_{true};
      void f() { while (running_) run(next_job()); }
    };)");
  EXPECT_FALSE(R.Forever);
  EXPECT_EQ(R.StopExit, StopDriver::StopFlag);
}

TEST(StopPaths, FlagMarkedByWriterInDestructor) {
  auto R = analyse(R"(
    struct W {
      bool flag_ = false;
      ~W() { flag_ = true; }
      void f() { for (;;) { if (flag_) break; run(next_job()); } }
    };)");
  EXPECT_EQ(R.StopExit, StopDriver::StopFlag);
}

TEST(StopPaths, OtherMemberIsSharedState) {
  auto R = analyse(R"(
    struct W {
      int budget_ = 0;
      void f() { while (budget_ > 0) run(next_job()); }
    };)");
  EXPECT_FALSE(R.Forever);
  EXPECT_EQ(R.StopExit, StopDriver::SharedState);
}

TEST(StopPaths, CapturedByReferenceFlag) {
  auto R = analyse(R"(
    void f() {
      std::atomic<bool> quit{false};
      std::thread t([&] { while (!quit) run(next_job()); });
      quit = true;
      t.join();
    })");
  EXPECT_FALSE(R.Forever);
  EXPECT_EQ(R.StopExit, StopDriver::StopFlag);
}

TEST(StopPaths, CapturedByCopyBoolIsInvariant) {
  auto R = analyse(R"(
    void f() {
      bool verbose = true;
      std::thread t([verbose] { while (verbose) run(next_job()); });
      t.join();
    })");
  EXPECT_TRUE(R.Forever);
  EXPECT_FALSE(R.StopExit);
}

TEST(StopPaths, CounterIsBounded) {
  auto R = analyse(R"(
    void f() { for (int i = 0; i < 10; ++i) run(next_job()); })");
  EXPECT_FALSE(R.Forever);
  EXPECT_TRUE(R.CanEnd);
  EXPECT_FALSE(R.StopExit);
}

TEST(StopPaths, InvariantLocalConditionIsForever) {
  auto R = analyse(R"(
    void f() { bool on = true; while (on) run(next_job()); })");
  EXPECT_TRUE(R.Forever);
  EXPECT_FALSE(R.CanEnd);
}

TEST(StopPaths, LocalChangedInLoopIsNotForever) {
  auto R = analyse(R"(
    void f() {
      bool on = true;
      while (on) { Job j = next_job(); if (j.is_stop()) on = false; run(j); }
    })");
  EXPECT_FALSE(R.Forever);
  EXPECT_TRUE(R.CanEnd);
}

TEST(StopPaths, PoisonPill) {
  auto R = analyse(R"(
    void f() { for (;;) { Job j = next_job(); if (j.is_stop()) break; run(j); } })");
  EXPECT_TRUE(R.Forever);
  EXPECT_EQ(R.StopExit, StopDriver::ReceivedValue);
}

TEST(StopPaths, SentinelCompared) {
  auto R = analyse(R"(
    void f(msd::channel<int> &ch) {
      while (true) { int v = 0; ch >> v; if (v < 0) break; process(v); }
    })");
  EXPECT_EQ(R.StopExit, StopDriver::ReceivedValue);
}

TEST(StopPaths, ReceiveInConditionEndsOnClose) {
  auto R = analyse(R"(
    void f(msd::channel<int> &ch) { int v; while (ch.read(v)) process(v); })");
  EXPECT_FALSE(R.Forever);
  EXPECT_EQ(R.StopExit, StopDriver::ChannelClose);
}

TEST(StopPaths, FailedReceiveBreaks) {
  auto R = analyse(R"(
    void f(msd::channel<int> &ch) { for (;;) { int v; if (!ch.read(v)) break; process(v); } })");
  EXPECT_EQ(R.StopExit, StopDriver::ChannelClose);
}

TEST(StopPaths, RangeForOverChannel) {
  auto R = analyse(R"(
    void f(msd::channel<int> &ch) { for (int v : ch) process(v); })");
  EXPECT_FALSE(R.Forever);
  EXPECT_EQ(R.StopExit, StopDriver::ChannelRange);
}

TEST(StopPaths, RangeForOverContainerIsBounded) {
  auto R = analyse(R"(
    void f(const std::vector<int> &xs) { for (int v : xs) process(v); })");
  EXPECT_TRUE(R.CanEnd);
  EXPECT_FALSE(R.StopExit);
}

TEST(StopPaths, InterruptionPoint) {
  auto R = analyse(R"(
    namespace test { void interruption_point(); }
    void f() { for (;;) { test::interruption_point(); run(next_job()); } })");
  EXPECT_EQ(R.StopExit, StopDriver::Interruption);
}

TEST(StopPaths, ProgschjWorker) {
  auto R = analyse(R"(
    struct Pool {
      std::mutex m; std::condition_variable cv; bool stop = false;
      std::queue<int> tasks;
      void f() {
        for (;;) {
          int task;
          {
            std::unique_lock<std::mutex> lock(m);
            cv.wait(lock, [this] { return stop || !tasks.empty(); });
            if (stop && tasks.empty()) return;
            task = tasks.front();
            tasks.pop();
          }
          process(task);
        }
      }
    };)");
  EXPECT_TRUE(R.Forever);
  EXPECT_EQ(R.StopExit, StopDriver::StopFlag);
}

TEST(StopPaths, StopHelperMethod) {
  auto R = analyse(R"(
    struct W {
      std::atomic<bool> shutdown_{false};
      bool stopping() const { return shutdown_.load(); }
      void f() { while (!stopping()) run(next_job()); }
    };)");
  EXPECT_EQ(R.StopExit, StopDriver::StopFlag);
}

TEST(StopPaths, BreakOfInnerSwitchDoesNotLeave) {
  auto R = analyse(R"(
    void f() {
      for (;;) {
        Job j = next_job();
        switch (j.id) { case 0: break; default: run(j); }
      }
    })");
  EXPECT_TRUE(R.Forever);
  EXPECT_FALSE(R.CanEnd);
}

TEST(StopPaths, InvariantGuardDoesNotEnd) {
  auto R = analyse(R"(
    void f(bool once) { for (;;) { run(next_job()); if (once) return; } })");
  EXPECT_FALSE(R.CanEnd);
  EXPECT_FALSE(R.StopExit);
}

TEST(StopPaths, ValueFilledByReference) {
  auto R = analyse(R"(
    bool fill(int &out);
    void f() { for (;;) { int v = 0; bool ok = fill(v); if (!ok) return; process(v); } })");
  EXPECT_EQ(R.StopExit, StopDriver::ReceivedValue);
}

TEST(StopPaths, TryAroundLoopCatchesClose) {
  auto R = analyse(R"(
    void f(msd::channel<int> &ch) {
      try { for (;;) { int v; ch >> v; process(v); } } catch (...) {}
    })");
  EXPECT_EQ(R.StopExit, StopDriver::ChannelClose);
}

} // namespace
