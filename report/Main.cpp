// The command line of `tether report` and `tether-report`.
#include "Html.h"
#include "Report.h"

#include "SafeIO.h"

#include <set>
#include <string>

namespace tether::report {

static const char Usage[] =
    "usage: %s [INPUTS...] -o report.html [--baseline FILE] [--title TEXT]\n"
    "          [--source-root DIR] [--docs-base URL] [--keep-going]\n"
    "  INPUTS: `tether check --format=json` files and runtime dumps\n"
    "  (format=json), told apart by their schema.\n";

static void usage(std::ostream &OS, const std::string &Prog) {
  std::string U = Usage;
  U.replace(U.find("%s"), 2, Prog);
  OS << U;
}

int reportMain(int Argc, const char *const *Argv, std::ostream &Out,
               std::ostream &Err) {
  std::string Prog = Argc > 0 ? Argv[0] : "tether-report";
  Options O;
  std::string Output;
  std::vector<std::string> Inputs;
  bool TitleSet = false;
  for (int I = 1; I < Argc; ++I) {
    std::string A = Argv[I];
    auto Value = [&](const char *Name, std::string &V) {
      std::string Eq = std::string(Name) + "=";
      if (A.rfind(Eq, 0) == 0) {
        V = A.substr(Eq.size());
        return true;
      }
      if (A != Name)
        return false;
      if (I + 1 >= Argc) {
        Err << Prog << ": error: " << Name << " needs a value\n";
        V = "\x01";
        return true;
      }
      V = Argv[++I];
      return true;
    };
    std::string V;
    if (A == "-h" || A == "--help") {
      usage(Out, Prog);
      return 0;
    } else if (Value("-o", V) || Value("--output", V)) {
      Output = V;
    } else if (Value("--baseline", V)) {
      O.Baseline = V;
    } else if (Value("--title", V)) {
      O.Title = V;
      TitleSet = true;
    } else if (Value("--source-root", V)) {
      O.SourceRoot = V;
    } else if (Value("--docs-base", V)) {
      O.DocsBase = V;
    } else if (A == "--keep-going") {
      O.KeepGoing = true;
    } else if (A == "--") {
      for (++I; I < Argc; ++I)
        Inputs.push_back(Argv[I]);
    } else if (A.size() > 1 && A[0] == '-') {
      Err << Prog << ": error: unknown option '" << A << "'\n";
      usage(Err, Prog);
      return 2;
    } else {
      Inputs.push_back(A);
    }
    if (V == "\x01")
      return 2;
  }
  (void)TitleSet;
  if (Output.empty()) {
    Err << Prog << ": error: name the page to write with -o report.html\n";
    return 2;
  }
  if (Inputs.empty()) {
    Err << Prog << ": error: no inputs (tether check JSON files, runtime dumps)\n";
    return 2;
  }
  std::string Why;
  if (Output != "-" && !checkOutputPath(Output, Why)) {
    Err << Prog << ": error: cannot write '" << Output << "': " << Why << "\n";
    return 4;
  }
  for (const std::string &In : Inputs)
    if (Output != "-" && sameFile(Output, In)) {
      Err << Prog << ": error: refusing to write '" << Output
          << "': it is the input '" << In << "'\n";
      return 2;
    }
  if (!O.DocsBase.empty() && safeUrl(O.DocsBase).empty()) {
    Err << Prog << ": error: --docs-base must be an http(s) or file URL or a "
                   "path\n";
    return 2;
  }

  Model M;
  bool Bad = false;
  for (const std::string &In : Inputs) {
    std::string Text, Error;
    if (!readInputFile(In, MaxReportInputBytes, Text, Error) ||
        !loadInput(In, Text, M, Error)) {
      Err << Prog << ": error: " << In << ": " << Error << "\n";
      Bad = true;
    }
  }
  if (Bad && !O.KeepGoing)
    return 2;
  if (!O.Baseline.empty()) {
    std::string Text, Error;
    std::set<std::string> Fps;
    if (!readInputFile(O.Baseline, MaxBaselineBytes, Text, Error) ||
        !loadBaseline(Text, Fps, Error)) {
      Err << Prog << ": error: " << O.Baseline << ": " << Error << "\n";
      return 2;
    }
    applyBaseline(M, Fps);
  }
  std::string Page = renderPage(M, O);
  if (Output == "-") {
    Out << Page;
    return Bad ? 2 : 0;
  }
  if (!writeOutputFile(Output, Page, Why)) {
    Err << Prog << ": error: cannot write '" << Output << "': " << Why << "\n";
    return 4;
  }
  return Bad ? 2 : 0;
}

} // namespace tether::report
