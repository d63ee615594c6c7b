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
  std::vector<tether::ApiModel> Models;
  std::vector<std::string> ModelFiles;
  std::map<std::string, std::string> Options;
  bool InferModels = true;
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
    Io.mapOptional("models", C.Models);
    Io.mapOptional("model_files", C.ModelFiles);
    Io.mapOptional("options", C.Options);
    Io.mapOptional("infer_models", C.InferModels, true);
  }
};
} // namespace llvm::yaml

namespace tether {

bool defaultConfig(Config &Out, llvm::raw_ostream &Err) {
  Out = Config();
  Out.ModelSetPtr = std::make_shared<ModelSet>();
  return Out.ModelSetPtr->addBuiltins(Err);
}

bool loadConfig(const std::string &Path, Config &Out, llvm::raw_ostream &Err) {
  std::string Text;
  if (!readYamlFile(Path, "config", Text, Err))
    return false;
  return parseConfig(Text, Path, Out, Err);
}

bool parseConfig(const std::string &Text, const std::string &Path, Config &Out,
                 llvm::raw_ostream &Err) {
  if (!defaultConfig(Out, Err))
    return false;
  Out.Path = Path;
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
  if (Raw.Checks)
    Out.Checks = *Raw.Checks;
  if (Raw.HeaderFilter && !Raw.HeaderFilter->empty()) {
    std::string Why;
    if (!llvm::Regex(*Raw.HeaderFilter).isValid(Why)) {
      Err << Path << ": error: invalid header_filter regex: " << Why << "\n";
      return false;
    }
    Out.HeaderFilter = *Raw.HeaderFilter;
  }
  Out.Options = Raw.Options;
  Out.InferModels = Raw.InferModels;
  for (ApiModel &M : Raw.Models) {
    M.Origin = Path;
    Out.Models.push_back(std::move(M));
  }
  Out.ModelFiles = Raw.ModelFiles;
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
    Out.Models.push_back(std::move(*M));
  }
  for (const ApiModel &M : Out.Models)
    Out.ModelSetPtr->add(M);
  return true;
}

std::string findUpward(const std::string &Dir, llvm::StringRef Name) {
  llvm::SmallString<256> D(Dir);
  llvm::sys::fs::make_absolute(D);
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
