// tether: concurrency bug detector and leak analyzer for C++.
//
//   tether check -p BUILD_DIR [FILES...]     static analysis (like clang-tidy)
//   tether models [--validate FILE...]       list or validate API models
//   tether models --infer -p BUILD [FILES]   print the inferred models
//   tether report INPUTS... -o report.html   HTML report (see docs/report.md)
#include "ApiModel.h"
#include "ApiModelYAML.h"
#include "CompilerCommand.h"
#include "Config.h"
#include "Driver.h"
#include "DriverStages.h"
#include "Report.h"
#include "ResultCache.h"
#include "SafeIO.h"

#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <iostream>

using namespace llvm;

static cl::OptionCategory Cat("tether options");
static cl::SubCommand CheckCmd("check",
                               "Analyse C++ sources for concurrency bugs");
static cl::SubCommand ModelsCmd("models", "List or validate API models");

// tether check
static cl::opt<std::string>
    BuildPath("p", cl::desc("Build directory holding compile_commands.json "
                            "(or the file itself)"),
              cl::value_desc("dir"), cl::sub(CheckCmd), cl::sub(ModelsCmd),
              cl::cat(Cat));
static cl::list<std::string> Files(cl::Positional,
                                   cl::desc("[<source files>...]"),
                                   cl::sub(CheckCmd), cl::sub(ModelsCmd));
static cl::opt<unsigned>
    Jobs("j", cl::desc("Translation units analysed in parallel (default: all "
                       "cores)"),
         cl::init(0), cl::Prefix, cl::sub(CheckCmd), cl::sub(ModelsCmd),
         cl::cat(Cat));
static cl::opt<std::string>
    Checks("checks",
           cl::desc("Comma-separated globs of checks to enable (prefix - to "
                    "disable), applied after the config's"),
           cl::init(""), cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<std::string>
    ConfigFile("config",
               cl::desc("Config file (default: nearest .tether.yaml above "
                        "each source file)"),
               cl::sub(CheckCmd), cl::sub(ModelsCmd), cl::cat(Cat));
static cl::opt<std::string> HeaderFilter(
    "header-filter",
    cl::desc("Regex of header paths whose functions are analysed too"),
    cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<std::string> ExcludeHeaderFilter(
    "exclude-header-filter",
    cl::desc("Regex of header paths not analysed even when --header-filter "
             "matches them"),
    cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<cl::boolOrDefault> SystemHeaders(
    "system-headers",
    cl::desc("Analyse functions in system headers too when --header-filter "
             "matches them (default: never)"),
    cl::sub(CheckCmd), cl::cat(Cat));
static cl::list<std::string>
    Formats("format",
            cl::desc("Format on stdout: text (default), json, sarif, html, "
                     "codeclimate (GitLab Code Quality)"),
            cl::sub(CheckCmd), cl::cat(Cat));
static cl::list<std::string>
    Outputs("o",
            cl::desc("Write findings to a file ([text:|json:|sarif:|html:|"
                     "codeclimate:]PATH; format from the extension otherwise). "
                     "Repeatable."),
            cl::value_desc("file"), cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<std::string>
    BaselineFile("baseline",
                 cl::desc("Report only findings not in this baseline file"),
                 cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<std::string> WriteBaselineFile(
    "write-baseline", cl::desc("Write the current findings as a baseline"),
    cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<bool> ListChecks("list-checks",
                                cl::desc("List the enabled checks and exit"),
                                cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<bool> DumpConfig(
    "dump-config",
    cl::desc("Print the configuration that applies to the first FILE (or "
             "the current directory) as YAML, options and models included, "
             "and exit"),
    cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<bool> ExplainConfig(
    "explain-config",
    cl::desc("Print each setting that applies to the first FILE (or the "
             "current directory) with the file or option it came from, and "
             "exit"),
    cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<bool> ListOptions(
    "list-options",
    cl::desc("List the options of the enabled checks (key, type, default, "
             "description) and exit"),
    cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<cl::boolOrDefault>
    Color("use-color",
          cl::desc("Colored text output (default: if a terminal)"),
          cl::sub(CheckCmd), cl::cat(Cat));
static cl::alias ColorAlias("color", cl::desc("Alias for --use-color"),
                            cl::aliasopt(Color));
static cl::opt<bool> Quiet("quiet",
                           cl::desc("No text on stdout unless asked for"),
                           cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<bool> NoUnused(
    "no-unused-suppressions",
    cl::desc("Do not report NOLINT comments that suppress nothing"),
    cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<bool>
    Fix("fix", cl::desc("Apply the fix-its of the reported findings to the "
                        "source files"),
        cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<bool> FixDryRun(
    "fix-dry-run",
    cl::desc("Print the fix-its of the reported findings as a unified diff "
             "on stdout; change no file (the text report goes to stderr)"),
    cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<bool> ExitZero(
    "exit-zero",
    cl::desc("Exit with 0 when findings are reported (errors still exit "
             "non-zero): report in one CI step, gate in another"),
    cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<std::string> ExportFixes(
    "export-fixes",
    cl::desc("Write the findings and their fix-its as YAML that "
             "clang-apply-replacements reads"),
    cl::value_desc("file"), cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<std::string> LineFilterOpt(
    "line-filter",
    cl::desc("Report only findings on these lines, in clang-tidy's JSON: "
             "[{\"name\":\"file.cpp\",\"lines\":[[1,3],[5,7]]},"
             "{\"name\":\"file.h\"}] (a file without \"lines\": every "
             "line); @FILE reads it from FILE"),
    cl::value_desc("json"), cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<std::string> DiffBase(
    "diff-base",
    cl::desc("Report only findings on lines that `git diff REV` shows "
             "added or changed in the working tree (and in untracked "
             "files); whole TUs are still analysed"),
    cl::value_desc("rev"), cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<bool> DiffNotes(
    "diff-notes",
    cl::desc("With --diff-base or --line-filter, also report a finding "
             "when one of its notes (a step of its path) is on a changed "
             "line"),
    cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<std::string> AnalysisStats(
    "analysis-stats",
    cl::desc("Write counters of the analysis (translation unit passes, "
             "functions analysed, CFGs built) as JSON to this file"),
    cl::value_desc("file"), cl::sub(CheckCmd), cl::cat(Cat));
static cl::list<std::string>
    ExtraArgs("extra-arg", cl::desc("Additional compiler argument (appended)"),
              cl::sub(CheckCmd), cl::cat(Cat));
static cl::list<std::string> ExtraArgsBefore(
    "extra-arg-before", cl::desc("Additional compiler argument (prepended)"),
    cl::sub(CheckCmd), cl::cat(Cat));

// Shards: analyse a slice of the TUs in each of N jobs, merge at the end.
static cl::opt<std::string> Shard(
    "shard",
    cl::desc("Analyse the I-th of N deterministic slices of the translation "
             "units (1-based) and store their results and facts in "
             "--shard-dir; no report (see --merge)"),
    cl::value_desc("I/N"), cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<std::string> ShardDir(
    "shard-dir",
    cl::desc("Directory a --shard run writes (created; an existing one must "
             "be empty or a shard directory)"),
    cl::value_desc("dir"), cl::sub(CheckCmd), cl::cat(Cat));
static cl::list<std::string> Merge(
    "merge",
    cl::desc("Read the translation units' results from these shard "
             "directories (every shard of one run) instead of analysing "
             "them; the link phase parses again only the TUs whose findings "
             "depend on other TUs, so -p is needed; report as usual"),
    cl::value_desc("dir,..."), cl::CommaSeparated, cl::sub(CheckCmd),
    cl::cat(Cat));
// The result cache.
static cl::opt<std::string> CacheDir(
    "cache-dir",
    cl::desc("Result cache directory (default: $XDG_CACHE_HOME/tether, else "
             "~/.cache/tether)"),
    cl::value_desc("dir"), cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<std::string> CacheMaxSize(
    "cache-max-size",
    cl::desc("Trim the result cache to this size after a run, least "
             "recently used entries first: bytes, or with a K, M or G "
             "suffix; 0 for no limit (default: 2G)"),
    cl::value_desc("size"), cl::sub(CheckCmd), cl::cat(Cat));
static cl::opt<bool> NoCache(
    "no-cache",
    cl::desc("Neither read nor write the result cache: analyse every "
             "translation unit"),
    cl::sub(CheckCmd), cl::cat(Cat));
// Measuring the link phase's memory (docs/cli.md, "Across translation
// units").
static cl::opt<bool> KeepASTs(
    "keep-asts", cl::Hidden, cl::init(false),
    cl::desc("Keep the ASTs of TUs the link phase analyses again (while the "
             "heap is under 2 GiB) instead of parsing them again"),
    cl::sub(CheckCmd));
// Testing crash isolation.
static cl::opt<std::string> DebugCrashOn(
    "debug-crash-on", cl::Hidden,
    cl::desc("Crash the analysis of TUs whose path contains this text"),
    cl::sub(CheckCmd));
static cl::opt<std::string> DebugCrashKind(
    "debug-crash-kind", cl::Hidden, cl::init("overflow"),
    cl::desc("overflow (unbounded recursion) or segv"), cl::sub(CheckCmd));

// tether models
static cl::list<std::string>
    Validate("validate", cl::desc("Validate model files or .tether.yaml configs (YAML)"),
             cl::sub(ModelsCmd), cl::cat(Cat));
static cl::opt<bool>
    Infer("infer",
          cl::desc("Print the models inferred from the project's own classes "
                   "(hand-rolled queues) as YAML, for review (with -p BUILD "
                   "and optionally source files)"),
          cl::sub(ModelsCmd), cl::cat(Cat));

static std::string formatOfPath(StringRef Path) {
  if (Path.ends_with(".html") || Path.ends_with(".htm"))
    return "html";
  if (Path.ends_with(".sarif") || Path.ends_with(".sarif.json"))
    return "sarif";
  if (Path.ends_with(".json"))
    return "json";
  return "text";
}

static bool validFormat(StringRef F) {
  return F == "text" || F == "json" || F == "sarif" || F == "html" ||
         F == "codeclimate";
}

// A model file names its library; a config file (.tether.yaml) does not.
static bool looksLikeConfig(StringRef Path, StringRef Text) {
  if (sys::path::filename(Path) == ".tether.yaml")
    return true;
  for (StringRef L : llvm::split(Text, '\n'))
    if (L.starts_with("library:") || L.starts_with("library :"))
      return false;
  return true;
}

static int runModels() {
  if (Infer) {
    if (!Validate.empty()) {
      errs() << "error: --infer and --validate cannot be used together\n";
      return tether::ExitUsage;
    }
    if (BuildPath.empty()) {
      errs() << "error: --infer needs -p BUILD_DIR (the compilation "
                "database of the sources to read)\n";
      return tether::ExitUsage;
    }
    tether::CheckOptionsCLI Opts;
    Opts.BuildPath = BuildPath;
    Opts.Files.assign(Files.begin(), Files.end());
    Opts.Jobs = Jobs;
    Opts.ConfigFile = ConfigFile;
    return tether::runInfer(Opts, outs());
  }
  if (BuildPath.getNumOccurrences() || !Files.empty()) {
    errs() << "error: -p and source files are only used with --infer\n";
    return tether::ExitUsage;
  }
  int Rc = 0;
  for (const std::string &Path : Validate) {
    std::string Text;
    if (!tether::readYamlFile(Path, "model", Text, errs())) {
      Rc = 2;
      continue;
    }
    if (looksLikeConfig(Path, Text)) {
      // The whole config: its models, model_files and options.
      tether::Config C;
      if (tether::parseConfig(Text, Path, C, errs()) &&
          tether::validateConfigOptions(C, errs()))
        outs() << Path << ": ok (config; " << C.Models.size() << " model"
               << (C.Models.size() == 1 ? "" : "s") << ", "
               << C.Options.size() << " option"
               << (C.Options.size() == 1 ? "" : "s") << ")\n";
      else
        Rc = 2;
      continue;
    }
    if (auto M = tether::parseModel(Text, Path, errs()))
      outs() << Path << ": ok (library '" << M->Library << "')\n";
    else
      Rc = 2;
  }
  if (!Validate.empty())
    return Rc;
  // The built-in models and those of the project's config (the nearest
  // .tether.yaml above the current directory, with what it inherits).
  tether::Config C;
  std::string Path = tether::findConfigFor(".");
  if (!(Path.empty() ? tether::defaultConfig(C, errs())
                     : tether::loadConfig(Path, C, errs())))
    return 2;
  const tether::ModelSet &Set = *C.ModelSetPtr;
  for (const tether::ApiModel &M : Set.models())
      outs() << M.Library << "\t" << M.Origin << "\t" << M.Channels.size()
             << " channel, " << M.Spawns.size() << " spawn, "
             << M.Cancellation.Sources.size() + M.Cancellation.Tokens.size()
             << " cancellation models\n";
  return Rc;
}

int main(int argc, char **argv) {
  // `tether report` is the LLVM-free renderer, with its own options.
  if (argc > 1 && StringRef(argv[1]) == "report") {
    std::vector<const char *> Args{"tether report"};
    Args.insert(Args.end(), argv + 2, argv + argc);
    return tether::report::reportMain(static_cast<int>(Args.size()),
                                      Args.data(), std::cout, std::cerr);
  }
  InitLLVM X(argc, argv);
  cl::HideUnrelatedOptions(Cat);
  cl::SetVersionPrinter([](raw_ostream &OS) {
    OS << "tether " << TETHER_VERSION << " (LLVM " << LLVM_VERSION_STRING
       << ")\n";
  });
  // `tether check FILE... -- FLAGS`: like clang-tidy, compile FILEs with
  // FLAGS instead of looking for a compilation database. FLAGS may be a
  // whole compiler command (CMAKE_CXX_CLANG_TIDY="tether;check" passes
  // `-- c++ ... -o X.o -c FILE`): its compiler, -c, -o and inputs are dropped.
  std::optional<std::vector<std::string>> FixedFlags;
  for (int I = 1; I < argc; ++I)
    if (StringRef(argv[I]) == "--") {
      std::vector<std::string> Command(argv + I + 1, argv + argc);
      FixedFlags = tether::flagsFromCompilerCommand(Command);
      argc = I;
      break;
    }
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "tether: concurrency bug detector and leak analyzer for C++\n\n"
          "  tether check -p BUILD_DIR [FILES...]\n"
          "  tether models [--validate FILE...]\n"
          "  tether models --infer -p BUILD_DIR [FILES...]\n"
          "  tether report INPUTS... -o report.html\n",
          &errs()))
    return tether::ExitUsage;

  if (ModelsCmd)
    return runModels();
  if (!CheckCmd) {
    errs() << "error: missing command; try 'tether check -p BUILD_DIR' "
              "(see 'tether --help')\n";
    return tether::ExitUsage;
  }

  for (const auto *O :
       {&WriteBaselineFile, &BaselineFile, &ConfigFile, &BuildPath, &ExportFixes})
    if (O->getNumOccurrences() && O->empty()) {
      errs() << "error: " << (O->ArgStr.size() == 1 ? "-" : "--") << O->ArgStr
             << " needs a file name\n";
      return tether::ExitUsage;
    }

  tether::CheckOptionsCLI Opts;
  Opts.BuildPath = BuildPath;
  Opts.FixedFlags = FixedFlags;
  if (FixedFlags && !BuildPath.empty()) {
    errs() << "error: give either -p BUILD_DIR or compiler flags after "
              "'--', not both\n";
    return tether::ExitUsage;
  }
  if (FixedFlags && Files.empty()) {
    errs() << "error: name the source files to analyse before '--'\n";
    return tether::ExitUsage;
  }
  Opts.Files.assign(Files.begin(), Files.end());
  Opts.Jobs = Jobs;
  Opts.Checks = Checks;
  Opts.ConfigFile = ConfigFile;
  Opts.HeaderFilter = HeaderFilter;
  Opts.HeaderFilterSet = HeaderFilter.getNumOccurrences() > 0;
  Opts.ExcludeHeaderFilter = ExcludeHeaderFilter;
  Opts.ExcludeHeaderFilterSet = ExcludeHeaderFilter.getNumOccurrences() > 0;
  if (SystemHeaders != cl::BOU_UNSET)
    Opts.SystemHeaders = SystemHeaders == cl::BOU_TRUE;
  Opts.Baseline = BaselineFile;
  Opts.WriteBaseline = WriteBaselineFile;
  Opts.Quiet = Quiet;
  Opts.ReportUnusedSuppressions = !NoUnused;
  Opts.Fix = Fix;
  Opts.FixDryRun = FixDryRun;
  if (Fix && FixDryRun) {
    errs() << "error: --fix and --fix-dry-run cannot be used together\n";
    return tether::ExitUsage;
  }
  if (LineFilterOpt.getNumOccurrences() && DiffBase.getNumOccurrences()) {
    errs() << "error: give either --line-filter or --diff-base, not both\n";
    return tether::ExitUsage;
  }
  for (const auto *O : {&LineFilterOpt, &DiffBase})
    if (O->getNumOccurrences() && O->empty()) {
      errs() << "error: --" << O->ArgStr << " needs a value\n";
      return tether::ExitUsage;
    }
  if (DiffNotes && !LineFilterOpt.getNumOccurrences() &&
      !DiffBase.getNumOccurrences()) {
    errs() << "error: --diff-notes needs --diff-base or --line-filter\n";
    return tether::ExitUsage;
  }
  Opts.LineFilterJson = LineFilterOpt;
  Opts.DiffBase = DiffBase;
  Opts.DiffNotes = DiffNotes;
  Opts.ExtraArgs.assign(ExtraArgs.begin(), ExtraArgs.end());
  Opts.ExtraArgsBefore.assign(ExtraArgsBefore.begin(), ExtraArgsBefore.end());
  Opts.DebugCrashOn = DebugCrashOn;
  Opts.DebugCrashKind = DebugCrashKind;
  for (int I = 0; I < argc; ++I)
    Opts.CommandLine.push_back(argv[I]);
  Opts.Color = Color == cl::BOU_UNSET
                   ? sys::Process::StandardOutIsDisplayed()
                   : Color == cl::BOU_TRUE;
  if (DumpConfig || ExplainConfig)
    return tether::dumpConfig(Opts, /*Explain=*/ExplainConfig);
  if (ListChecks)
    return tether::listChecks(Opts);
  if (ListOptions)
    return tether::listOptions(Opts);

  for (const std::string &F : Formats)
    if (!validFormat(F)) {
      errs() << "error: unknown format '" << F
             << "' (expected text, json, sarif, html or codeclimate)\n";
      return tether::ExitUsage;
    }
  bool Stdout = false;
  for (size_t I = 0; I < Outputs.size(); ++I) {
    StringRef O = Outputs[I];
    tether::OutputSpec S;
    auto [Prefix, Rest] = O.split(':');
    if (O.empty() || (validFormat(Prefix) && O.size() == Prefix.size() + 1)) {
      errs() << "error: -o '" << O << "' names no file (use -o "
             << (O.empty() ? "FILE" : O.str() + "FILE") << ")\n";
      return tether::ExitUsage;
    }
    if (!Rest.empty() && validFormat(Prefix)) {
      S.Format = Prefix.str();
      S.Path = Rest.str();
    } else {
      S.Path = O.str();
      S.Format = formatOfPath(O);
    }
    Stdout |= S.Path == "-";
    Opts.Outputs.push_back(S);
  }
  // --format is the format on stdout, with or without -o files.
  if (Formats.size() > 1) {
    errs() << "error: --format takes one format (stdout's); write the "
              "others to files with -o FORMAT:PATH\n";
    return tether::ExitUsage;
  }
  if (!Formats.empty() && !Stdout) {
    Opts.Outputs.push_back({Formats[0], "-"});
    Stdout = true;
  }
  if (ExportFixes.getNumOccurrences()) {
    if (ExportFixes == "-") {
      errs() << "error: --export-fixes writes a file; name one\n";
      return tether::ExitUsage;
    }
    Opts.Outputs.push_back({"fixes-yaml", ExportFixes});
  }
  if (FixDryRun && Stdout) {
    errs() << "error: --fix-dry-run writes the diff to stdout; write the "
              "report to a file with -o\n";
    return tether::ExitUsage;
  }
  if (Shard.getNumOccurrences() || ShardDir.getNumOccurrences()) {
    unsigned I = 0, N = 0;
    auto [IText, NText] = StringRef(Shard).split('/');
    if (IText.getAsInteger(10, I) || NText.getAsInteger(10, N) || N == 0 ||
        I == 0 || I > N) {
      errs() << "error: --shard takes I/N with 1 <= I <= N (got '" << Shard
             << "')\n";
      return tether::ExitUsage;
    }
    if (ShardDir.empty()) {
      errs() << "error: --shard needs --shard-dir DIR, where the slice's "
                "results go\n";
      return tether::ExitUsage;
    }
    if (!Merge.empty() || !Opts.Outputs.empty() || Fix || FixDryRun ||
        !WriteBaselineFile.empty() || !BaselineFile.empty()) {
      errs() << "error: a --shard run writes only its --shard-dir; report, "
                "fix and baseline with the --merge run\n";
      return tether::ExitUsage;
    }
    Opts.ShardIndex = I;
    Opts.ShardCount = N;
    Opts.ShardDir = ShardDir;
  }
  Opts.MergeDirs.assign(Merge.begin(), Merge.end());
  Opts.KeepASTs = KeepASTs;
  if (NoCache && CacheDir.getNumOccurrences()) {
    errs() << "error: --no-cache and --cache-dir cannot be used together\n";
    return tether::ExitUsage;
  }
  if (CacheDir.getNumOccurrences() && CacheDir.empty()) {
    errs() << "error: --cache-dir needs a directory\n";
    return tether::ExitUsage;
  }
  if (CacheMaxSize.getNumOccurrences()) {
    StringRef S = StringRef(CacheMaxSize).trim();
    uint64_t Unit = 1;
    if (!S.empty() && StringRef("KkMmGg").contains(S.back())) {
      char U = toupper(S.back());
      Unit = U == 'K' ? 1ull << 10 : U == 'M' ? 1ull << 20 : 1ull << 30;
      S = S.drop_back();
    }
    uint64_t N = 0;
    if (S.empty() || S.getAsInteger(10, N) || N > (UINT64_MAX >> 30)) {
      errs() << "error: --cache-max-size: '" << CacheMaxSize
             << "' is not a size (bytes, or a number with a K, M or G "
                "suffix)\n";
      return tether::ExitUsage;
    }
    Opts.CacheMaxBytes = N * Unit;
  }
  if (!NoCache)
    Opts.CacheDir = CacheDir.getNumOccurrences()
                        ? std::string(CacheDir)
                        : tether::ResultCache::defaultRoot();
  if (!Stdout && !Quiet && !Opts.ShardCount)
    Opts.Outputs.push_back({"text", FixDryRun ? "<stderr>" : "-"});
  // The counters are LLVM statistics (analysis/AnalysisContext.cpp); they
  // register only once enabled.
  if (AnalysisStats.getNumOccurrences()) {
    std::string Why;
    if (!tether::checkOutputPath(AnalysisStats, Why)) {
      errs() << "error: cannot write --analysis-stats file '" << AnalysisStats
             << "': " << Why << "\n";
      return tether::ExitUsage;
    }
    EnableStatistics(/*DoPrintOnExit=*/false);
  }
  int Rc = tether::runCheck(Opts);
  if (AnalysisStats.getNumOccurrences()) {
    std::string Why;
    if (!tether::writeOutputFile(
            AnalysisStats,
            [](std::string &Out) {
              raw_string_ostream OS(Out);
              PrintStatisticsJSON(OS);
            },
            Why)) {
      errs() << "error: cannot write --analysis-stats file '" << AnalysisStats
             << "': " << Why << "\n";
      Rc = tether::ExitOutput;
    }
  }
  // Findings are not a failure with --exit-zero; errors (usage, inputs not
  // analysed, outputs not written) still are.
  if (ExitZero && Rc == tether::ExitFindings)
    Rc = tether::ExitClean;
  if (tether::recoveredFromCrash()) {
    outs().flush();
    errs().flush();
    sys::Process::Exit(Rc, /*NoCleanup=*/true);
  }
  return Rc;
}
