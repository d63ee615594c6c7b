// The stages of `tether check`, each a function of its own that a test can
// call (runCheck in Driver.cpp calls them in this order):
//
//   collectInputs   compile DB, input files, configs, output targets
//   analyseAll      every TU in parallel: parse, run the checks, export facts
//   linkFacts       merge every TU's facts in memory (checks/core/TUChecks.h)
//   dependents      the TUs whose findings may change with the linked facts
//   recheck         analyse those again with the linked view
//   mergeResults    one list of findings, the analysed files, the errors
//   suppressAndBaseline   NOLINT comments, fingerprints, baselines
//   filterChangedLines    --line-filter / --diff-base (pull-request mode)
//   writeResults    the writers, then fix-its
//
// The driver sees the checks layer only through TUChecks.h: no analysis
// header is included here or in Driver.cpp.
#pragma once

#include "Config.h"
#include "Driver.h"
#include "LineFilter.h"
#include "Output.h"
#include "TUChecks.h"
#include "TUStore.h"

#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Regex.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace clang {
class ASTUnit;
} // namespace clang
namespace llvm {
class ThreadPoolInterface;
class raw_ostream;
} // namespace llvm

namespace tether {

class ResultCache;

// One TU to analyse, with the config that applies to it.
struct TUJob {
  std::string File;
  const Config *Cfg = nullptr;
  const llvm::Regex *HeaderFilter = nullptr; // null: main file only
  const llvm::Regex *ExcludeHeaderFilter = nullptr;
  bool SystemHeaders = false;
};

// What the run reads, checked before any analysis.
struct Inputs {
  std::unique_ptr<clang::tooling::CompilationDatabase> DB;
  std::string DBDir;   // directory of the compile DB (or of the inputs)
  std::string DBInput; // the compile_commands.json read, if any
  std::vector<TUJob> Jobs;        // sorted by file, no duplicates
  std::vector<InputError> Errors; // named inputs that cannot be analysed
  // One per distinct .tether.yaml ("" = built-in defaults).
  std::map<std::string, std::unique_ptr<Config>> Configs;
  std::map<const Config *, std::unique_ptr<llvm::Regex>> HeaderFilters;
  std::map<const Config *, std::unique_ptr<llvm::Regex>> ExcludeHeaderFilters;
  // --line-filter / --diff-base: only findings on these lines are reported.
  std::optional<LineFilter> ChangedLines;
};

// Every check's id, summary and options, sorted by id (unused-suppression
// included).
std::vector<CheckInfo> allCheckInfos();
// A config's `options:` against the options the checks declare: one
// "FILE: error: ..." line for the first unknown key or malformed value.
bool validateConfigOptions(const Config &C, llvm::raw_ostream &Err);

// Stage 1. Returns ExitClean, or ExitUsage after printing one line per
// problem to Err (unknown check, broken config, no compile DB, an output
// that would overwrite an input, ...).
int collectInputs(const CheckOptionsCLI &Opts, Inputs &In,
                  llvm::raw_ostream &Err);

// One TU's outcome.
struct TUResult {
  std::vector<Finding> Findings;
  std::string Error; // non-empty: the TU was not analysed
  TUFacts Facts;     // first pass: what the TU exports to the link phase
  // The TU's AST, kept after the first pass when the link phase may analyse
  // it again (it calls functions defined elsewhere): no second parse.
  std::unique_ptr<clang::ASTUnit> AST;
  // With CheckOptionsCLI::InferOnly: the models read off the TU's classes
  // (and no findings).
  std::optional<ApiModel> Inferred;
  // With a result cache: the key of the TU's first pass; while AST is
  // kept, the files its parse read and the paths it found missing (the
  // second pass on that AST is stored under them; the cache entry holds
  // them otherwise).
  std::string CacheKey;
  std::vector<FileDigest> Reads;
  std::vector<std::string> Absent;
  // Inside analyseAll only: once a TU's AST is gone, its findings and
  // facts wait for the other TUs as the bytes of its entry (encodeStoredTU
  // under CacheKey), compressed when LLVM has zstd, and Findings and Facts
  // are empty. That is a few percent of their size in memory, in one block
  // instead of many small ones that later parses have to allocate around.
  std::string Packed;
  size_t PackedSize = 0; // of the entry before compression
  TUResult();
  ~TUResult();
  TUResult(TUResult &&);
  TUResult &operator=(TUResult &&);
};

// Stage 2: every job on Pool; Results[i] belongs to In.Jobs[i]. With
// KeepASTs (not the CLI's default), the ASTs of TUs the link phase may
// analyse again are kept while the heap is under 2 GiB.
// With Cache, a TU whose entry is valid is not parsed, and every TU
// analysed is stored.
std::vector<TUResult> analyseAll(const Inputs &In, const CheckOptionsCLI &Opts,
                                 llvm::ThreadPoolInterface &Pool,
                                 bool KeepASTs = true,
                                 ResultCache *Cache = nullptr);

// Shards (tool/Shards.cpp). A sharded run analyses a slice of the jobs and
// stores each TU's first-pass result and facts (TUStore.h) in its
// --shard-dir, with a manifest naming the slice; `--merge DIR...` reads
// them back in place of stage 2, and the link phase parses again only the
// TUs the linked facts affect (the compile database is needed then).
//
// The jobs of shard Index of Count (1-based): every Count-th job of the
// sorted list, starting at Index - 1.
std::vector<size_t> shardSlice(size_t Jobs, unsigned Index, unsigned Count);
// What a job's result depends on besides its sources and compile command:
// the checks, filters, options and models that apply, extra compiler
// arguments (hex).
std::string setupDigest(const TUJob &J, const CheckOptionsCLI &Opts);
// tether's version and every job's setup: shards merge only under equal
// stamps.
std::string shardStamp(const Inputs &In, const CheckOptionsCLI &Opts);
// The list of inputs (hex): shards merge only when made from the same.
std::string fileListDigest(const Inputs &In);
// Makes Opts.ShardDir ready for this run: created when missing; an existing
// one must be a directory (not a link) that is empty or a shard run's
// (its old entries are removed). ExitClean, or ExitShards after one line
// on Err.
int prepareShardDir(const std::string &Dir, llvm::raw_ostream &Err);
// Stores Results[k], the result of In.Jobs[Slice[k]], then the manifest.
int writeShard(const Inputs &In, const CheckOptionsCLI &Opts,
               llvm::ArrayRef<size_t> Slice, std::vector<TUResult> &Results,
               llvm::raw_ostream &Err);
// Results[i] for In.Jobs[i] from Opts.MergeDirs: every shard 1..N once,
// from this version and configuration and the same inputs, every entry
// intact. ExitClean, or ExitShards after one line on Err.
int readShards(const Inputs &In, const CheckOptionsCLI &Opts,
               std::vector<TUResult> &Results, llvm::raw_ostream &Err);

// Stage 3: the facts of every analysed TU, merged in job order.
LinkedFacts linkFacts(llvm::ArrayRef<TUResult> Results);

// Stage 4: indexes of the analysed TUs the linked facts affect, and their
// second pass (on the kept AST, else parsed again). A TU whose second pass
// fails keeps its first findings. Frees every AST and every TU's facts
// (Linked holds what the link needs of them).
std::vector<size_t> dependents(const LinkedFacts &Linked,
                               llvm::ArrayRef<TUResult> Results);
// With Cache, a second pass stored under the same key and linked digest is
// read instead of parsing the TU again.
void recheck(const Inputs &In, const CheckOptionsCLI &Opts,
             const LinkedFacts &Linked, llvm::ArrayRef<size_t> Which,
             std::vector<TUResult> &Results, llvm::ThreadPoolInterface &Pool,
             ResultCache *Cache = nullptr);

// Stage 5: one list of findings (duplicates from headers seen by several
// TUs dropped), then NOLINT suppressions, fingerprints, --write-baseline and
// --baseline. suppressAndBaseline returns ExitClean, or ExitUsage /
// ExitOutput after printing why to Err.
struct Merged {
  std::vector<Finding> Findings;
  std::vector<std::string> Analysed; // files analysed
  std::vector<InputError> Errors;    // In.Errors plus failed TUs
};
Merged mergeResults(const Inputs &In, std::vector<TUResult> &&Results);
// Ids of the checks some config (with --checks) enables, sorted.
std::vector<std::string> enabledCheckIds(const Inputs &In,
                                         const CheckOptionsCLI &Opts);
int suppressAndBaseline(Merged &M, llvm::ArrayRef<std::string> EnabledIds,
                        const CheckOptionsCLI &Opts, llvm::raw_ostream &Err);

// Stage 5b: with --line-filter or --diff-base, drops the findings not on a
// changed line (after the baseline, so --write-baseline still records every
// finding). Returns how many were dropped.
size_t filterChangedLines(const Inputs &In, Merged &M,
                          const CheckOptionsCLI &Opts);

// "2 warnings and 1 error generated." -- the count a text run ends with on
// stderr, like the compiler's (remarks not counted; InputErrors are TUs not
// analysed). Empty when there is nothing to count.
std::string generatedLine(llvm::ArrayRef<Finding> Findings,
                          size_t InputErrors);

// Stage 6: every output, then fix-its. Returns the run's exit code.
int writeResults(const Inputs &In, const Merged &M,
                 llvm::ArrayRef<std::string> EnabledIds,
                 const CheckOptionsCLI &Opts);

} // namespace tether
