// tether-modelgen: compiles API models into the runtime shim's wait-reason
// table, so libtether_rt can name a blocked thread's wait ("chan receive")
// without a YAML parser and without linking LLVM.
//
// Output: one line per blocking function, `<Qualified::Type::method>\t<reason>`
// (or `<qualified::function>\t<reason>`), sorted, no duplicates. The shim
// matches these against demangled frame names with template arguments
// removed. Usage: tether-modelgen [-o OUT] [EXTRA_MODEL.yaml...]
#include "ApiModel.h"
#include "ApiModelYAML.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <set>
#include <string>

using namespace tether;

int main(int argc, char **argv) {
  std::string Out = "-";
  std::vector<std::string> Extra;
  for (int I = 1; I < argc; ++I) {
    std::string A = argv[I];
    if (A == "-o" && I + 1 < argc)
      Out = argv[++I];
    else
      Extra.push_back(A);
  }
  ModelSet Set;
  if (!Set.addBuiltins(llvm::errs()))
    return 2;
  for (const auto &Path : Extra) {
    std::string Text;
    if (!readYamlFile(Path, "model", Text, llvm::errs()))
      return 2;
    auto M = parseModel(Text, Path, llvm::errs());
    if (!M)
      return 2;
    Set.add(std::move(*M));
  }
  std::set<std::pair<std::string, std::string>> Rows;
  for (const ApiModel &M : Set.models()) {
    for (const ChannelModel &C : M.Channels)
      for (const auto &T : C.Types) {
        for (const auto *Ops : {&C.Send, &C.TimedSend})
          for (const auto &Op : *Ops)
            Rows.insert({T + "::" + Op, "chan send"});
        for (const auto *Ops : {&C.Receive, &C.TimedReceive})
          for (const auto &Op : *Ops)
            Rows.insert({T + "::" + Op, "chan receive"});
      }
    for (const BlockingModel &B : M.Blocking) {
      if (!B.Function.empty())
        Rows.insert({B.Function, B.Reason});
      for (const auto &Method : B.Methods)
        Rows.insert({B.Type + "::" + Method, B.Reason});
    }
  }
  std::error_code EC;
  llvm::raw_fd_ostream OS(Out, EC, llvm::sys::fs::OF_Text);
  if (EC) {
    llvm::errs() << Out << ": error: " << EC.message() << "\n";
    return 2;
  }
  for (const auto &[Fn, Reason] : Rows)
    OS << Fn << "\t" << Reason << "\n";
  return 0;
}
