#include "Config.h"
#include "ApiModelYAML.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace {
struct RawConfig {
  std::optional<std::string> Checks;
  std::optional<std::string> HeaderFilter;
  std::optional<std::string> ExcludeHeaderFilter;
  std::optional<bool> SystemHeaders;
  std::vector<tether::ApiModel> Models;
  std::vector<std::string> ModelFiles;
  std::map<std::string, std::string> Options;
  std::optional<bool> InheritParent;
  std::optional<bool> InferModels;
};
} // namespace

namespace llvm::yaml {
template <> struct CustomMappingTraits<std::map<std::string, std::string>> {
  static void inputOne(IO &Io, StringRef Key,
                       std::map<std::string, std::string> &M) {
    Io.mapRequired(Key.str().c_str(), M[Key.str()]);
  }
  static void output(IO &Io, std::map<std::string, std::string> &M) {
    for (auto &[K, V] : M)
      Io.mapRequired(K.c_str(), V);
  }
};
template <> struct MappingTraits<RawConfig> {
  static void mapping(IO &Io, RawConfig &C) {
    Io.mapOptional("checks", C.Checks);
    Io.mapOptional("header_filter", C.HeaderFilter);
    Io.mapOptional("exclude_header_filter", C.ExcludeHeaderFilter);
    Io.mapOptional("system_headers", C.SystemHeaders);
    Io.mapOptional("models", C.Models);
    Io.mapOptional("model_files", C.ModelFiles);
    Io.mapOptional("options", C.Options);
    Io.mapOptional("inherit_parent_config", C.InheritParent);
    Io.mapOptional("infer_models", C.InferModels);
  }
};
} // namespace llvm::yaml

namespace tether {

bool defaultConfig(Config &Out, llvm::raw_ostream &Err) {
  Out = Config();
  Out.ModelSetPtr = std::make_shared<ModelSet>();
  return Out.ModelSetPtr->addBuiltins(Err);
}

namespace {

// Config files nest by directory; a chain longer than this is a loop
// through symbolic links or a mistake.
constexpr int MaxInheritDepth = 32;

bool loadChained(const std::string &Path, Config &Out, llvm::raw_ostream &Err,
                 int Depth);

// The nearest `.tether.yaml` strictly above the directory holding Path.
std::string parentConfigOf(const std::string &Path) {
  llvm::SmallString<256> Dir(Path);
  llvm::sys::fs::make_absolute(Dir);
  llvm::sys::path::remove_filename(Dir); // the config's directory
  llvm::StringRef Up = llvm::sys::path::parent_path(Dir);
  if (Up.empty() || Up == Dir)
    return "";
  return findConfigFor(Up.str());
}

bool parseChained(const std::string &Text, const std::string &Path,
                  Config &Out, llvm::raw_ostream &Err, int Depth) {
  if (!checkYamlInput(Text, Path, Err))
    return false;
  YamlErrorSink S{&Err};
  RawConfig Raw;
  {
    llvm::yaml::Input In(llvm::MemoryBufferRef(Text, Path), nullptr,
                         yamlErrorHandler, &S);
    In >> Raw;
    if (In.error() || S.Failed) {
      if (!S.Failed)
        Err << Path << ": error: malformed config\n";
      return false;
    }
  }
  // The parent first: this file's settings apply over it.
  if (Raw.InheritParent.value_or(false)) {
    std::string Parent = parentConfigOf(Path);
    if (Depth >= MaxInheritDepth) {
      Err << Path << ": error: inherit_parent_config: more than "
          << MaxInheritDepth << " configs in the chain\n";
      return false;
    }
    if (!Parent.empty()) {
      if (!loadChained(Parent, Out, Err, Depth + 1))
        return false;
    } else if (!defaultConfig(Out, Err)) {
      return false;
    }
  } else if (!defaultConfig(Out, Err)) {
    return false;
  }
  Out.Path = Path;
  Out.Chain.push_back(Path);
  if (Raw.Checks) {
    // Like clang-tidy's InheritParentConfig: a child's checks are appended
    // to its parent's (later globs win); without a parent they replace the
    // default "*".
    bool Inherited = Out.Chain.size() > 1;
    Out.Checks = Inherited ? Out.Checks + "," + *Raw.Checks : *Raw.Checks;
    if (!Inherited) {
      Out.ChecksFrom.clear();
      Out.ChecksStartFromDefault = false;
    }
    Out.ChecksFrom.push_back({*Raw.Checks, Path});
  }
  if (Raw.HeaderFilter) {
    std::string Why;
    if (!Raw.HeaderFilter->empty() &&
        !llvm::Regex(*Raw.HeaderFilter).isValid(Why)) {
      Err << Path << ": error: invalid header_filter regex: " << Why << "\n";
      return false;
    }
    Out.HeaderFilter = *Raw.HeaderFilter;
    Out.Origin["header_filter"] = Path;
  }
  if (Raw.ExcludeHeaderFilter) {
    std::string Why;
    if (!Raw.ExcludeHeaderFilter->empty() &&
        !llvm::Regex(*Raw.ExcludeHeaderFilter).isValid(Why)) {
      Err << Path << ": error: invalid exclude_header_filter regex: " << Why
          << "\n";
      return false;
    }
    Out.ExcludeHeaderFilter = *Raw.ExcludeHeaderFilter;
    Out.Origin["exclude_header_filter"] = Path;
  }
  if (Raw.SystemHeaders) {
    Out.SystemHeaders = *Raw.SystemHeaders;
    Out.Origin["system_headers"] = Path;
  }
  for (auto &[K, V] : Raw.Options) {
    Out.Options[K] = V;
    Out.Origin["options." + K] = Path;
  }
  if (Raw.InferModels) {
    Out.InferModels = *Raw.InferModels;
    Out.Origin["infer_models"] = Path;
  }
  std::vector<ApiModel> Added;
  for (ApiModel &M : Raw.Models) {
    M.Origin = Path;
    Added.push_back(std::move(M));
  }
  for (const std::string &F : Raw.ModelFiles)
    Out.ModelFiles.push_back(F);
  llvm::SmallString<256> Dir(Path);
  llvm::sys::path::remove_filename(Dir);
  for (const std::string &F : Raw.ModelFiles) {
    llvm::SmallString<256> P(F);
    if (llvm::sys::path::is_relative(P)) {
      P = Dir;
      llvm::sys::path::append(P, F);
    }
    std::string ModelText;
    if (!readYamlFile(std::string(P), "model file", ModelText, Err))
      return false;
    auto M = parseModel(ModelText, std::string(P), Err);
    if (!M)
      return false;
    Added.push_back(std::move(*M));
  }
  for (ApiModel &M : Added) {
    Out.ModelSetPtr->add(M);
    Out.Models.push_back(std::move(M));
  }
  return true;
}

bool loadChained(const std::string &Path, Config &Out, llvm::raw_ostream &Err,
                 int Depth) {
  std::string Text;
  if (!readYamlFile(Path, "config", Text, Err))
    return false;
  return parseChained(Text, Path, Out, Err, Depth);
}

} // namespace

bool loadConfig(const std::string &Path, Config &Out, llvm::raw_ostream &Err) {
  Out = Config();
  return loadChained(Path, Out, Err, 0);
}

bool parseConfig(const std::string &Text, const std::string &Path, Config &Out,
                 llvm::raw_ostream &Err) {
  Out = Config();
  return parseChained(Text, Path, Out, Err, 0);
}

std::string findUpward(const std::string &Dir, llvm::StringRef Name) {
  llvm::SmallString<256> D(Dir);
  llvm::sys::fs::make_absolute(D);
  llvm::sys::path::remove_dots(D, /*remove_dot_dot=*/true);
  while (!D.empty()) {
    llvm::SmallString<256> Candidate(D);
    llvm::sys::path::append(Candidate, Name);
    if (llvm::sys::fs::exists(Candidate))
      return std::string(D);
    llvm::StringRef Parent = llvm::sys::path::parent_path(D);
    if (Parent == D)
      break;
    D = Parent;
  }
  return "";
}

std::string findConfigFor(const std::string &Dir) {
  std::string Found = findUpward(Dir, ".tether.yaml");
  if (Found.empty())
    return "";
  llvm::SmallString<256> P(Found);
  llvm::sys::path::append(P, ".tether.yaml");
  return llvm::sys::fs::is_regular_file(P) ? std::string(P) : "";
}

} // namespace tether
