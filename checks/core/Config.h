// `.tether.yaml`: which checks run, which headers are analysed, the user's
// API models and check options. Found next to or above each source file
// (like .clang-tidy), or given with --config.
#pragma once

#include "ApiModel.h"
#include "CheckInfo.h"
#include "TUChecks.h"

#include "llvm/ADT/StringRef.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace llvm {
class raw_ostream;
}

namespace tether {

struct Config {
  std::string Path;   // empty for the built-in defaults
  // The chain of files this config was read from, outermost first (a file
  // with `inherit_parent_config: true` starts from the nearest config
  // above its directory).
  std::vector<std::string> Chain;
  std::string Checks = "*";
  std::string HeaderFilter;
  std::string ExcludeHeaderFilter; // headers HeaderFilter matches but not these
  bool SystemHeaders = false;      // system headers may match HeaderFilter
  std::vector<ApiModel> Models;           // inline `models:` plus model_files
  std::vector<std::string> ModelFiles;    // as written, relative to Path
  OptionValues Options; // `options:`, as written
  // Where each setting came from, for --explain-config: "checks" lists one
  // (globs, file) pair per file that set some; the others map a key
  // ("header_filter", "exclude_header_filter", "system_headers",
  // "options.<check>.<name>") to the file that set it last.
  std::vector<std::pair<std::string, std::string>> ChecksFrom;
  bool ChecksStartFromDefault = true; // "*" comes before ChecksFrom
  std::map<std::string, std::string> Origin;
  // `infer_models:` read the project's own queues as channels.
  bool InferModels = true;
  // Built-in models plus this config's models, built once per config.
  std::shared_ptr<ModelSet> ModelSetPtr;
};

// Reads and validates a config file; errors go to Err as
// "file:line:col: error: message". The driver then validates `options:`
// against the options the checks declare. Builds Config::ModelSetPtr.
bool loadConfig(const std::string &Path, Config &Out, llvm::raw_ostream &Err);
// The same on a config's text; model_files are read relative to Path. With
// `inherit_parent_config: true` the nearest config above Path's directory
// is read first (recursively) and this one is applied over it: its checks
// are appended, its options, filters and models added or replaced.
bool parseConfig(const std::string &Text, const std::string &Path, Config &Out,
                 llvm::raw_ostream &Err);
// The default config (no file): built-in models only.
bool defaultConfig(Config &Out, llvm::raw_ostream &Err);

// Nearest `.tether.yaml` in Dir or its ancestors, or "".
std::string findConfigFor(const std::string &Dir);
// Nearest of Dir and its ancestors that contains an entry Name, or "".
std::string findUpward(const std::string &Dir, llvm::StringRef Name);

} // namespace tether
