// One way for the analysis layer's unit tests to build an AST from a
// snippet, find its functions and calls, and give them a TUContext with the
// built-in models: tests of spawns, facts, lock state, stop paths and channel
// flow all start here.
#pragma once

#include "AnalysisContext.h"
#include "ApiModel.h"

#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Frontend/ASTUnit.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace tether::testing {

// The built-in models, loaded once per test binary.
inline const ModelSet &builtinModels() {
  static ModelSet M = [] {
    ModelSet S;
    S.addBuiltins(llvm::errs());
    return S;
  }();
  return M;
}

// The built-in models and a project's own, written as a .tether.yaml would
// (one YAML document; a parse error is a test failure).
inline ModelSet builtinsAnd(const std::string &Yaml) {
  ModelSet M;
  std::string Err;
  llvm::raw_string_ostream OS(Err);
  EXPECT_TRUE(M.addBuiltins(OS)) << Err;
  auto User = parseModel(Yaml, "acme.yaml", OS);
  EXPECT_TRUE(User) << Err;
  if (User)
    M.add(std::move(*User));
  return M;
}

// The declarations the check tests use for libraries that are not installed
// (tests/checks/include), when the build says where the sources are.
inline std::vector<std::string> defaultArgs() {
  std::vector<std::string> Args = {"-std=c++20"};
#ifdef TETHER_SOURCE_DIR
  Args.push_back(std::string("-I") + TETHER_SOURCE_DIR + "/tests/checks/include");
#endif
  return Args;
}

// A snippet parsed into an AST, with a TUContext over it. The snippet must
// compile without errors (checked with a test failure, not a crash).
class Snippet {
public:
  explicit Snippet(const std::string &Code,
                   std::vector<std::string> Args = defaultArgs(),
                   const ModelSet &Models = builtinModels())
      : Models(Models) {
    AST = clang::tooling::buildASTFromCodeWithArgs(Code, Args, "input.cpp");
    EXPECT_TRUE(AST) << "the snippet did not parse";
    if (AST) {
      EXPECT_FALSE(AST->getDiagnostics().hasErrorOccurred())
          << "the snippet has compile errors";
      TU = std::make_unique<TUContext>(AST->getASTContext(), Models, Options);
    }
  }

  clang::ASTContext &ast() { return AST->getASTContext(); }
  TUContext &tu() { return *TU; }
  const ModelSet &models() const { return Models; }

  // The function (or method) with that plain name and a body; the last one
  // when several have it. Null (and a test failure) when there is none.
  const clang::FunctionDecl *function(llvm::StringRef Name) {
    const clang::FunctionDecl *Found = nullptr;
    for (const clang::FunctionDecl *F : functions())
      if (F->getIdentifier() && F->getName() == Name)
        Found = F;
    EXPECT_TRUE(Found) << "no function '" << Name.str() << "' with a body";
    return Found;
  }

  // Every function, method and lambda call operator with a body, in the
  // order they appear.
  std::vector<const clang::FunctionDecl *> functions() {
    struct Find : clang::RecursiveASTVisitor<Find> {
      std::vector<const clang::FunctionDecl *> Out;
      bool shouldVisitTemplateInstantiations() const { return true; }
      bool shouldVisitLambdaBodies() const { return true; }
      bool VisitFunctionDecl(clang::FunctionDecl *F) {
        if (F->doesThisDeclarationHaveABody())
          Out.push_back(F);
        return true;
      }
    } F;
    if (AST)
      F.TraverseDecl(ast().getTranslationUnitDecl());
    return F.Out;
  }

  // Calls of a function or method with that plain name, inside S (or the
  // whole TU), in source order.
  std::vector<const clang::CallExpr *> calls(llvm::StringRef Callee,
                                             const clang::Stmt *S = nullptr) {
    struct Find : clang::RecursiveASTVisitor<Find> {
      llvm::StringRef Name;
      std::vector<const clang::CallExpr *> Out;
      bool shouldVisitLambdaBodies() const { return true; }
      bool VisitCallExpr(clang::CallExpr *C) {
        if (const clang::FunctionDecl *F = C->getDirectCallee())
          if (F->getIdentifier() && F->getName() == Name)
            Out.push_back(C);
        return true;
      }
    } F;
    F.Name = Callee;
    if (S)
      F.TraverseStmt(const_cast<clang::Stmt *>(S));
    else if (AST)
      F.TraverseDecl(ast().getTranslationUnitDecl());
    return F.Out;
  }

  CheckOptions Options;

private:
  const ModelSet &Models;
  std::unique_ptr<clang::ASTUnit> AST;
  std::unique_ptr<TUContext> TU;
};

} // namespace tether::testing
