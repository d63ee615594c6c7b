// The first pass of `tether check` over a TU a test writes in memory: parsed
// with -std=c++20, checked with the built-in models, its facts exported for
// the link phase. Shared by the driver-stage and stored-result tests.
#pragma once

#include "DriverStages.h"

#include "ApiModel.h"

#include "clang/Frontend/ASTUnit.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace tether::testing {

inline const ModelSet &driverTestModels() {
  static ModelSet M = [] {
    ModelSet S;
    S.addBuiltins(llvm::errs());
    return S;
  }();
  return M;
}

struct ParsedTU {
  std::string File;
  std::unique_ptr<clang::ASTUnit> AST; // kept for a second pass
  TUResult Result;
};

inline ParsedTU firstPass(const std::string &Code, const std::string &Name) {
  ParsedTU P;
  P.File = Name;
  P.AST = clang::tooling::buildASTFromCodeWithArgs(Code, {"-std=c++20"}, Name);
  EXPECT_TRUE(P.AST && !P.AST->getDiagnostics().hasErrorOccurred()) << Name;
  if (!P.AST)
    return P;
  TUCheckSetup Setup;
  Setup.Models = &driverTestModels();
  P.Result.Findings =
      runChecks(P.AST->getASTContext(), Setup, nullptr, &P.Result.Facts);
  return P;
}

} // namespace tether::testing
