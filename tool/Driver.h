// The `tether check` pipeline: compile DB -> per-TU analysis in parallel ->
// merge -> suppressions -> baseline -> writers -> exit code.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
}

namespace tether {

enum ExitCode {
  ExitClean = 0,     // no findings
  ExitFindings = 1,  // findings reported
  ExitUsage = 2,     // usage, config or compile-DB error; nothing analysed
  ExitPartial = 3,   // some inputs could not be analysed
  ExitOutput = 4,    // an output file could not be written
  // --shard-dir cannot be written, or --merge directories do not hold one
  // complete sharded run of this configuration
  ExitShards = 5,
};

struct OutputSpec {
  std::string Format; // text | json | sarif | html
  std::string Path;   // "-" for stdout, "<stderr>" for stderr
};

struct CheckOptionsCLI {
  std::string BuildPath;           // -p
  std::vector<std::string> Files;  // positional
  unsigned Jobs = 0;               // -j, 0 = all cores
  std::string Checks;              // --checks, appended to the config's
  std::string ConfigFile;          // --config
  std::string HeaderFilter;        // --header-filter (overrides config)
  bool HeaderFilterSet = false;
  std::string ExcludeHeaderFilter; // --exclude-header-filter (overrides config)
  bool ExcludeHeaderFilterSet = false;
  std::optional<bool> SystemHeaders; // --system-headers (overrides config)
  std::vector<OutputSpec> Outputs; // --format + -o
  std::string Baseline;            // --baseline
  std::string WriteBaseline;       // --write-baseline
  bool Color = false;
  bool Quiet = false;
  bool ReportUnusedSuppressions = true;
  bool Fix = false;       // --fix: apply the findings' fix-its
  bool FixDryRun = false; // --fix-dry-run: print them as a unified diff
  // Pull-request mode (tool/LineFilter.h): report only findings on changed
  // lines. At most one of the two is set.
  std::string LineFilterJson; // --line-filter, clang-tidy's JSON
  std::string DiffBase;       // --diff-base REV
  bool DiffNotes = false;     // --diff-notes: a note on a changed line counts
  std::vector<std::string> ExtraArgs, ExtraArgsBefore;
  std::vector<std::string> CommandLine;
  // Testing crash isolation (hidden options): a TU whose path contains
  // DebugCrashOn crashes the analysis on purpose ("overflow": unbounded
  // recursion; "segv": a null write).
  std::string DebugCrashOn, DebugCrashKind;
  // Compiler flags given after `--`: no compilation database is used.
  std::optional<std::vector<std::string>> FixedFlags;
  // `tether models --infer`: parse the TUs and infer models, run no check.
  bool InferOnly = false;
  // --shard I/N --shard-dir DIR: analyse the I-th of N slices of the TUs
  // (1-based) and store their results and facts in DIR; no report.
  unsigned ShardIndex = 0, ShardCount = 0; // 0: not sharded
  std::string ShardDir;
  // --merge DIR...: the TUs' results and facts come from these shard
  // directories; the link phase and the outputs run as in a plain run.
  std::vector<std::string> MergeDirs;
  // The result cache's directory (tool/ResultCache.h); "" with --no-cache.
  std::string CacheDir;
  // The size the cache directory is trimmed to after a run that stored
  // entries (0: never trimmed).
  uint64_t CacheMaxBytes = uint64_t(2) << 30;
  // The link phase's second passes run on the first pass's ASTs, kept while
  // the heap is under 2 GiB (true), or parse those TUs again (false, the
  // default: peak memory is then one TU's per job, docs/cli.md).
  bool KeepASTs = false;
};

int runCheck(const CheckOptionsCLI &Opts);
// `tether models --infer -p BUILD [FILES]`: the models inferred from the
// project's own classes (analysis/InferModels.h) as one YAML document on
// Out, for review and for `.tether.yaml`.
int runInfer(const CheckOptionsCLI &Opts, llvm::raw_ostream &Out);
// True once the analysis of some TU crashed and was recovered: LLVM's global
// state (timers, statistics) may then point into the abandoned compiler
// instance, so the process must exit without llvm_shutdown.
bool recoveredFromCrash();
// `tether check --dump-config [FILE]` (Explain false): the effective config
// for FILE as YAML tether reads back; `--explain-config`: each setting with
// the file (or option) it came from.
int dumpConfig(const CheckOptionsCLI &Opts, bool Explain);
// `tether check --list-checks`
int listChecks(const CheckOptionsCLI &Opts);
// `tether check --list-options`: every option of the enabled checks, one a
// line: "check-id.name<TAB>type<TAB>default<TAB>description".
int listOptions(const CheckOptionsCLI &Opts);

} // namespace tether
