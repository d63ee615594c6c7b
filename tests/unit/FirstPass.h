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

// A pipeline split over four TUs (each body is parsed after
// SamplePipeDecls): a helper that closes the pipe's channel,
// a worker that calls it and closes again (a double close only the link
// shows), a supervisor that calls the worker from a loop, and a logger that
// calls nothing anyone defines.
inline constexpr const char *SamplePipeDecls = R"(
namespace boost { namespace fibers {
enum class channel_op_status { success, empty, full, closed, timeout };
template <typename T> class buffered_channel {
public:
  explicit buffered_channel(unsigned long) {}
  channel_op_status push(T) { return channel_op_status::success; }
  channel_op_status pop(T &) { return channel_op_status::success; }
  void close() noexcept {}
};
} }
using Chan = boost::fibers::buffered_channel<int>;
struct Pipe { Chan chunks{32}; Chan acks{8}; bool failed = false; };
void shutdown_pipe(Pipe &p);
void drain(Pipe &p);
void download(Pipe &p, int n);
void log_line(const char *);
)";

inline constexpr const char *SampleShutdownCpp = R"(
void shutdown_pipe(Pipe &p) {
  p.failed = true;
  p.chunks.close();
}
void drain(Pipe &p) {
  int v = 0;
  while (p.acks.pop(v) == boost::fibers::channel_op_status::success) {
  }
}
)";

inline constexpr const char *SampleDownloadCpp = R"(
void download(Pipe &p, int n) {
  for (int i = 0; i < n; ++i) {
    if (i == 7) {
      shutdown_pipe(p);
      break;
    }
    p.chunks.push(i);
  }
  p.chunks.close();
}
)";

inline constexpr const char *SampleSupervisorCpp = R"(
struct Supervisor {
  Pipe pipe;
  void run(int rounds) {
    download(pipe, rounds);
    drain(pipe);
    pipe.acks.close();
    pipe.acks.close();
  }
};
void supervise(int n) {
  Supervisor s;
  s.run(n);
}
)";

inline constexpr const char *SampleLoggerCpp = R"(
void report(Pipe &p) {
  log_line("closing");
  p.chunks.close();
}
)";

// One TU of the sample: the declarations, then Body.
inline ParsedTU sampleTU(const char *Body, const std::string &Name) {
  return firstPass(std::string(SamplePipeDecls) + Body, Name);
}

} // namespace tether::testing
