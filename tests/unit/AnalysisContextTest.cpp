// The analysis layer's per-function cache: each CFG kind is built once and
// shared, the kinds differ only in the destructors they hold, and the lock
// state read through the cache equals the one built on its own.
#include "AnalysisContext.h"
#include "ApiModel.h"
#include "LockState.h"

#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Frontend/ASTUnit.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace clang;
using namespace tether;

namespace {

const ModelSet &models() {
  static ModelSet M = [] {
    ModelSet S;
    S.addBuiltins(llvm::errs());
    return S;
  }();
  return M;
}

struct Fixture {
  std::unique_ptr<ASTUnit> AST;
  const FunctionDecl *FD = nullptr;
  CheckOptions Options;
  std::unique_ptr<TUContext> TU;

  Fixture(const std::string &Code, llvm::StringRef Name) {
    AST = tooling::buildASTFromCodeWithArgs(Code, {"-std=c++20"}, "input.cpp");
    struct Find : RecursiveASTVisitor<Find> {
      llvm::StringRef Name;
      const FunctionDecl *Found = nullptr;
      bool VisitFunctionDecl(FunctionDecl *F) {
        if (F->doesThisDeclarationHaveABody() && F->getIdentifier() &&
            F->getName() == Name)
          Found = F;
        return true;
      }
    } F;
    F.Name = Name;
    F.TraverseDecl(AST->getASTContext().getTranslationUnitDecl());
    FD = F.Found;
    TU = std::make_unique<TUContext>(AST->getASTContext(), models(), Options);
  }
};

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
  Fixture X(Code, "f");
  ASSERT_TRUE(X.FD);
  FunctionAnalyses A(*X.TU, X.FD);
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
  Fixture X("void g(); void f() { g(); }", "f");
  ASSERT_TRUE(X.FD);
  FunctionAnalyses A(*X.TU, X.FD);
  EXPECT_TRUE(A.cfg(CFGKind::Statements));
  FunctionAnalyses NoFn(*X.TU, nullptr);
  EXPECT_EQ(NoFn.cfg(CFGKind::ImplicitDtors), nullptr);
}

TEST(AnalysisContext, SharedLockStateEqualsStandalone) {
  Fixture X(Code, "f");
  ASSERT_TRUE(X.FD);
  FunctionAnalyses A(*X.TU, X.FD);
  const LockState &Shared = A.lockState();
  EXPECT_EQ(&Shared, &A.lockState());
  LockState Alone(X.FD, X.AST->getASTContext(), models());
  struct Probe : RecursiveASTVisitor<Probe> {
    const CallExpr *Call = nullptr;
    bool VisitCallExpr(CallExpr *C) {
      if (const FunctionDecl *F = C->getDirectCallee())
        if (F->getIdentifier() && F->getName() == "probe")
          Call = C;
      return true;
    }
  } P;
  P.TraverseStmt(const_cast<Stmt *>(X.FD->getBody()));
  ASSERT_TRUE(P.Call);
  ASSERT_EQ(Shared.heldAt(P.Call).size(), 1u);
  ASSERT_EQ(Alone.heldAt(P.Call).size(), 1u);
  EXPECT_EQ(Shared.heldAt(P.Call)[0].Mutex->describe(),
            Alone.heldAt(P.Call)[0].Mutex->describe());
}
