// The analysis layer's per-function cache: each CFG kind is built once and
// shared, the kinds differ only in the destructors they hold, and the lock
// state read through the cache equals the one built on its own.
#include "AnalysisHarness.h"
#include "LockState.h"

#include <gtest/gtest.h>

using namespace clang;
using namespace tether;
using tether::testing::Snippet;

namespace {

template <typename Element> unsigned count(const CFG *G) {
  unsigned N = 0;
  for (const CFGBlock *B : *G)
    for (const CFGElement &E : *B)
      N += E.getAs<Element>().has_value();
  return N;
}

const char *Code = R"(
#include <mutex>
#include <string>
std::mutex m;
struct Guard { ~Guard(); };
Guard make();
void probe(int);
void f(bool b) {
  std::string s = "x";
  std::lock_guard<std::mutex> g(m);
  if (b)
    (void)make();   // a temporary with a destructor
  probe(1);
}
)";

} // namespace

TEST(AnalysisContext, EachCFGKindIsBuiltOnceAndShared) {
  Snippet X(Code);
  const FunctionDecl *FD = X.function("f");
  ASSERT_TRUE(FD);
  FunctionAnalyses A(X.tu(), FD);
  const CFG *S = A.cfg(CFGKind::Statements);
  const CFG *I = A.cfg(CFGKind::ImplicitDtors);
  const CFG *All = A.cfg(CFGKind::AllDtors);
  ASSERT_TRUE(S && I && All);
  EXPECT_EQ(S, A.cfg(CFGKind::Statements));
  EXPECT_EQ(I, A.cfg(CFGKind::ImplicitDtors));
  EXPECT_EQ(All, A.cfg(CFGKind::AllDtors));
  EXPECT_NE(S, I);
  EXPECT_NE(I, All);
  // What differs is only the destructors each kind adds.
  EXPECT_EQ(count<CFGAutomaticObjDtor>(S), 0u);
  EXPECT_EQ(count<CFGAutomaticObjDtor>(I), 2u); // s and g
  EXPECT_EQ(count<CFGTemporaryDtor>(I), 0u);
  EXPECT_GE(count<CFGTemporaryDtor>(All), 1u);
}

TEST(AnalysisContext, NoBodyNoCFG) {
  Snippet X("void g(); void f() { g(); }");
  const FunctionDecl *FD = X.function("f");
  ASSERT_TRUE(FD);
  FunctionAnalyses A(X.tu(), FD);
  EXPECT_TRUE(A.cfg(CFGKind::Statements));
  FunctionAnalyses NoFn(X.tu(), nullptr);
  EXPECT_EQ(NoFn.cfg(CFGKind::ImplicitDtors), nullptr);
}

TEST(AnalysisContext, SharedLockStateEqualsStandalone) {
  Snippet X(Code);
  const FunctionDecl *FD = X.function("f");
  ASSERT_TRUE(FD);
  FunctionAnalyses A(X.tu(), FD);
  const LockState &Shared = A.lockState();
  EXPECT_EQ(&Shared, &A.lockState());
  LockState Alone(FD, X.ast(), X.models());
  std::vector<const CallExpr *> Probes = X.calls("probe", FD->getBody());
  ASSERT_EQ(Probes.size(), 1u);
  const CallExpr *Call = Probes[0];
  ASSERT_EQ(Shared.heldAt(Call).size(), 1u);
  ASSERT_EQ(Alone.heldAt(Call).size(), 1u);
  EXPECT_EQ(Shared.heldAt(Call)[0].Mutex->describe(),
            Alone.heldAt(Call)[0].Mutex->describe());
}
