// `tether check --dump-config` and `--explain-config`: the configuration
// that applies to a file (the nearest .tether.yaml and the files it
// inherits from, then the command line), as YAML that tether reads back, or
// with where each setting came from.
#include "DriverStages.h"

#include "ApiModelYAML.h"
#include "CheckInfo.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/YAMLTraits.h"
#include "llvm/Support/raw_ostream.h"

namespace tether {

namespace {

// A YAML single-quoted scalar.
std::string quoted(llvm::StringRef S) {
  std::string Q = "'";
  for (char C : S) {
    Q += C;
    if (C == '\'')
      Q += '\'';
  }
  return Q + "'";
}

// The config for File (or the current directory): --config, else the
// nearest .tether.yaml above it, else the defaults.
bool configFor(const CheckOptionsCLI &Opts, Config &Cfg, std::string &For,
               llvm::raw_ostream &Err) {
  llvm::SmallString<256> Target(Opts.Files.empty() ? "." : Opts.Files.front());
  llvm::sys::fs::make_absolute(Target);
  llvm::sys::path::remove_dots(Target, true);
  For = Opts.Files.empty() ? "the current directory" : Opts.Files.front();
  std::string Path = Opts.ConfigFile;
  if (Path.empty()) {
    llvm::SmallString<256> Dir(Target);
    if (!llvm::sys::fs::is_directory(Dir))
      llvm::sys::path::remove_filename(Dir);
    Path = findConfigFor(std::string(Dir));
  }
  bool Ok = Path.empty() ? defaultConfig(Cfg, Err) : loadConfig(Path, Cfg, Err);
  return Ok && validateConfigOptions(Cfg, Err);
}

// The user's models as YAML list items, indented under `models:`.
std::string modelsYaml(std::vector<ApiModel> Models) {
  std::string Text;
  {
    llvm::raw_string_ostream OS(Text);
    llvm::yaml::Output Out(OS);
    Out << Models;
  }
  llvm::StringRef T(Text);
  T.consume_front("---");
  T = T.ltrim('\n').ltrim(' ');
  if (T.ends_with("...\n"))
    T = T.drop_back(4);
  std::string Indented;
  llvm::SmallVector<llvm::StringRef, 32> Lines;
  T.split(Lines, '\n', -1, false);
  for (llvm::StringRef L : Lines)
    Indented += "  " + L.str() + "\n";
  return Indented;
}

struct Effective {
  std::string Checks;
  std::string HeaderFilter, ExcludeHeaderFilter;
  bool SystemHeaders = false;
};

Effective effective(const Config &Cfg, const CheckOptionsCLI &Opts) {
  Effective E;
  E.Checks = Cfg.Checks;
  if (!Opts.Checks.empty())
    E.Checks += "," + Opts.Checks;
  E.HeaderFilter = Opts.HeaderFilterSet ? Opts.HeaderFilter : Cfg.HeaderFilter;
  E.ExcludeHeaderFilter = Opts.ExcludeHeaderFilterSet ? Opts.ExcludeHeaderFilter
                                                      : Cfg.ExcludeHeaderFilter;
  E.SystemHeaders = Opts.SystemHeaders.value_or(Cfg.SystemHeaders);
  return E;
}

std::string chainText(const Config &Cfg) {
  if (Cfg.Chain.empty())
    return "built-in defaults (no .tether.yaml)";
  std::string S;
  for (const std::string &P : Cfg.Chain)
    S += (S.empty() ? "" : " <- ") + P;
  return S;
}

} // namespace

int dumpConfig(const CheckOptionsCLI &Opts, bool Explain) {
  Config Cfg;
  std::string For;
  if (!configFor(Opts, Cfg, For, llvm::errs()))
    return ExitUsage;
  Effective E = effective(Cfg, Opts);
  std::vector<CheckInfo> Infos = allCheckInfos();
  llvm::raw_ostream &OS = llvm::outs();

  if (!Explain) {
    OS << "# tether config for " << For << ": " << chainText(Cfg);
    if (Opts.HeaderFilterSet || Opts.ExcludeHeaderFilterSet ||
        !Opts.Checks.empty() || Opts.SystemHeaders)
      OS << ", then the command line";
    OS << "\n";
    OS << "checks: " << quoted(E.Checks) << "\n";
    OS << "header_filter: " << quoted(E.HeaderFilter) << "\n";
    OS << "exclude_header_filter: " << quoted(E.ExcludeHeaderFilter) << "\n";
    OS << "system_headers: " << (E.SystemHeaders ? "true" : "false") << "\n";
    OS << "infer_models: " << (Cfg.InferModels ? "true" : "false") << "\n";
    OS << "# every option of the enabled checks: set, or its default\n";
    std::string Opt;
    for (const CheckInfo &I : Infos)
      if (checkEnabled(E.Checks, I.Id))
        for (const OptionInfo &O : I.Options) {
          std::string Key = I.Id + "." + O.Name;
          auto It = Cfg.Options.find(Key);
          Opt += "  " + Key + ": " +
                 quoted(It != Cfg.Options.end() ? It->second : O.Default) +
                 "\n";
        }
    OS << (Opt.empty() ? "options: {}\n" : "options:\n" + Opt);
    if (Cfg.Models.empty())
      OS << "models: []\n";
    else
      OS << "models:\n" << modelsYaml(Cfg.Models);
    std::string Builtin;
    for (const ApiModel &M : Cfg.ModelSetPtr->models())
      if (llvm::none_of(Cfg.Models,
                        [&](const ApiModel &U) { return U.Origin == M.Origin &&
                                                        U.Library == M.Library; }))
        Builtin += (Builtin.empty() ? "" : ", ") + M.Library;
    OS << "# built-in models (always loaded): " << Builtin << "\n";
    return ExitClean;
  }

  // --explain-config: one line per setting, with its source.
  const std::string Default = "built-in default";
  auto From = [&](llvm::StringRef Key) -> std::string {
    auto It = Cfg.Origin.find(Key.str());
    return It == Cfg.Origin.end() ? Default : It->second;
  };
  OS << "config for " << For << ": " << chainText(Cfg) << "\n";
  OS << "checks: " << quoted(E.Checks) << "\n";
  if (Cfg.ChecksStartFromDefault)
    OS << "  " << quoted("*") << "  " << Default << "\n";
  for (const auto &[Globs, File] : Cfg.ChecksFrom)
    OS << "  " << quoted(Globs) << "  " << File << "\n";
  if (!Opts.Checks.empty())
    OS << "  " << quoted(Opts.Checks) << "  --checks\n";
  OS << "header_filter: " << quoted(E.HeaderFilter) << "  "
     << (Opts.HeaderFilterSet ? "--header-filter" : From("header_filter"))
     << "\n";
  OS << "exclude_header_filter: " << quoted(E.ExcludeHeaderFilter) << "  "
     << (Opts.ExcludeHeaderFilterSet ? "--exclude-header-filter"
                                     : From("exclude_header_filter"))
     << "\n";
  OS << "system_headers: " << (E.SystemHeaders ? "true" : "false") << "  "
     << (Opts.SystemHeaders ? "--system-headers" : From("system_headers"))
     << "\n";
  OS << "infer_models: " << (Cfg.InferModels ? "true" : "false") << "  "
     << From("infer_models") << "\n";
  OS << "options:\n";
  for (const CheckInfo &I : Infos)
    if (checkEnabled(E.Checks, I.Id))
      for (const OptionInfo &O : I.Options) {
        std::string Key = I.Id + "." + O.Name;
        auto It = Cfg.Options.find(Key);
        bool Set = It != Cfg.Options.end();
        OS << "  " << Key << ": " << quoted(Set ? It->second : O.Default)
           << "  " << (Set ? From("options." + Key) : Default) << "\n";
      }
  OS << "models:\n";
  for (const ApiModel &M : Cfg.ModelSetPtr->models())
    OS << "  " << M.Library << "  " << M.Origin << "\n";
  return ExitClean;
}

} // namespace tether
