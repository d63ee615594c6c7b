// Findings used by several output tests.
#pragma once

#include "Output.h"

#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace tether::test {

inline SourcePoint point(std::string File, unsigned Line, unsigned Column,
                         std::string LineText, unsigned EndLine = 0,
                         unsigned EndColumn = 0) {
  SourcePoint P;
  P.File = std::move(File);
  P.Line = Line;
  P.Column = Column;
  P.EndLine = EndLine;
  P.EndColumn = EndColumn;
  P.LineText = std::move(LineText);
  return P;
}

inline RunInfo runInfo() {
  RunInfo Info;
  Info.ToolVersion = "0.1.0";
  Info.InformationUri = "https://github.com/tether-dev/tether";
  Info.DocsBaseUrl = "https://github.com/tether-dev/tether/blob/main/docs/checks";
  Info.SourceRoot = "/src/proj";
  CheckInfo A;
  A.Id = "channel-double-close";
  A.Summary = "A channel is closed twice.";
  A.Help = "Closing a closed channel throws; close it once, from its owner.";
  CheckInfo B;
  B.Id = "thread-not-joined";
  B.Summary = "A std::thread is destroyed while joinable.";
  B.Help = "Join or detach the thread on every path.";
  B.DefaultLevel = Severity::Error;
  Info.Checks = {A, B};
  Info.CommandLine = {"tether", "check", "-p", "build", "src/a b.cpp"};
  return Info;
}

// Two findings in a file under the source root (one with a note and a fix),
// one in a file outside it.
inline std::vector<Finding> sampleFindings() {
  Finding A;
  A.CheckId = "channel-double-close";
  A.Where = point("/src/proj/src/chan.cpp", 12, 5, "    ch.close();", 12, 15);
  A.Message = "channel 'ch' is closed twice";
  A.Function = "app::Worker::stop";
  A.AnchorText = "ch.close();";
  A.Fingerprint = "0123456789abcdef";
  Note N;
  N.Where = point("/src/proj/src/chan.cpp", 9, 3, "  ch.close();", 9, 13);
  N.Message = "first closed here";
  A.Notes.push_back(N);
  FixIt X;
  X.Where = point("/src/proj/src/chan.cpp", 12, 5, "    ch.close();", 12, 16);
  X.Replacement = "";
  A.Fixes.push_back(X);

  Finding B;
  B.CheckId = "thread-not-joined";
  B.Level = Severity::Error;
  B.Where = point("/src/proj/src/dir with space/t.cpp", 3, 15,
                  "  std::thread t(work);", 3, 22);
  B.Message = "thread 't' may be destroyed while joinable";
  B.Function = "main";
  B.AnchorText = "std::thread t(work);";
  B.Fingerprint = "fedcba9876543210";

  Finding C;
  C.CheckId = "channel-double-close";
  C.Level = Severity::Remark;
  C.Where = point("/usr/include/lib/chan.h", 40, 1, "close();");
  C.Message = "close in a header";
  C.Fingerprint = "00000000000000aa";
  return {A, B, C};
}

// A deadlock across two threads (lock-held-across-blocking): stop() holds
// 'mu_' while it joins the worker, whose loop takes 'mu_'. The notes in
// stop() run in thread 0 (the primary location's), the one in the worker's
// body in thread 1.
inline Finding twoThreadFinding() {
  Finding F;
  F.CheckId = "lock-held-across-blocking";
  F.Where = point("/src/proj/src/pool.cpp", 30, 5, "    worker_.join();", 30,
                  18);
  F.Message = "mutex 'mu_' is held across a blocking thread join; the joined "
              "thread takes it too (in 'Pool::run'): a deadlock";
  F.Function = "Pool::stop";
  F.AnchorText = "worker_.join()";
  F.Fingerprint = "1111222233334444";
  F.Threads = {"thread running 'Pool::stop'", "thread started at pool.cpp:12"};
  auto Add = [&](unsigned Line, unsigned Col, const char *Text,
                 const char *Message, unsigned Thread) {
    Note N;
    N.Where = point("/src/proj/src/pool.cpp", Line, Col, Text);
    N.Message = Message;
    N.Thread = Thread;
    F.Notes.push_back(N);
  };
  Add(28, 5, "    std::lock_guard<std::mutex> g(mu_);",
      "mutex locked here (held until the guard's scope ends)", 0);
  Add(18, 7, "      std::lock_guard<std::mutex> g(mu_);",
      "the joined thread takes the mutex here", 1);
  Add(30, 5, "    worker_.join();", "still held here", 0);
  return F;
}

inline std::string render(void (*Writer)(llvm::raw_ostream &,
                                         const std::vector<Finding> &,
                                         const RunInfo &),
                          const std::vector<Finding> &F, const RunInfo &I) {
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  Writer(OS, F, I);
  OS.flush();
  return Out;
}

} // namespace tether::test
