#include "CompilerCommand.h"

#include "clang/Driver/Options.h"
#include "clang/Driver/Types.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Option/Arg.h"
#include "llvm/Option/ArgList.h"
#include "llvm/Option/OptTable.h"
#include "llvm/Support/Path.h"

namespace tether {

namespace opts = clang::driver::options;

static bool isSourceFile(llvm::StringRef Word) {
  llvm::StringRef Ext = llvm::sys::path::extension(Word);
  return !Ext.empty() &&
         clang::driver::types::lookupTypeForExtension(Ext.drop_front()) !=
             clang::driver::types::TY_INVALID;
}

std::vector<std::string>
flagsFromCompilerCommand(llvm::ArrayRef<std::string> Command) {
  size_t First = 0;
  while (First < Command.size() && !llvm::StringRef(Command[First]).starts_with("-") &&
         !llvm::StringRef(Command[First]).starts_with("@") &&
         !isSourceFile(Command[First]))
    ++First;
  llvm::SmallVector<const char *, 64> Argv;
  for (size_t I = First; I < Command.size(); ++I)
    Argv.push_back(Command[I].c_str());

  const llvm::opt::OptTable &Table = clang::driver::getDriverOptTable();
  unsigned MissingIndex = 0, MissingCount = 0;
  // Parsed with the default (GCC-style) driver's visibility: what `clang++`
  // accepts. Unknown options are kept as written (OPT_UNKNOWN).
  llvm::opt::InputArgList Args = Table.ParseArgs(
      Argv, MissingIndex, MissingCount,
      llvm::opt::Visibility(opts::ClangOption));
  // An argument's words run from its index to the next argument's (an
  // option with a separate value: two words; a value missing at the end: the
  // option alone, left for the compiler to report).
  std::vector<const llvm::opt::Arg *> List(Args.begin(), Args.end());
  std::vector<std::string> Flags;
  for (size_t K = 0; K < List.size(); ++K) {
    const llvm::opt::Arg *A = List[K];
    const llvm::opt::Option &O = A->getOption();
    if (O.matches(opts::OPT_c) || O.matches(opts::OPT_o))
      continue;
    if (O.getKind() == llvm::opt::Option::InputClass &&
        !llvm::StringRef(A->getValue()).starts_with("@"))
      continue;
    size_t End = K + 1 < List.size() ? List[K + 1]->getIndex() : Argv.size();
    for (size_t I = A->getIndex(); I < End; ++I)
      Flags.emplace_back(Argv[I]);
  }
  return Flags;
}

} // namespace tether
