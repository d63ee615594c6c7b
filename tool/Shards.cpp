// Sharded runs (`tether check --shard I/N --shard-dir DIR`) and their merge
// (`tether check --merge DIR...`): see DriverStages.h and docs/cli.md ("Shards").
#include "DriverStages.h"
#include "SafeIO.h"
#include "TUStore.h"
#include "FindingJSON.h"

#include "ApiModelYAML.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/YAMLTraits.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <set>

#ifndef TETHER_VERSION
#define TETHER_VERSION "0.0.0"
#endif

namespace tether {

namespace {

constexpr llvm::StringRef ManifestName = "tether-shard.json";
constexpr llvm::StringRef ManifestFormat = "tether-shard";

// Feeds length-prefixed fields to one hash, so that ("ab","c") and
// ("a","bc") differ.
class Digest {
public:
  Digest &add(llvm::StringRef S) {
    Text += std::to_string(S.size());
    Text += ':';
    Text += S;
    return *this;
  }
  Digest &add(bool B) { return add(llvm::StringRef(B ? "1" : "0")); }
  std::string hex() const { return hashHex(llvm::xxh3_64bits(Text)); }

private:
  std::string Text;
};

std::string modelsText(const Config &C) {
  std::string Text;
  if (!C.ModelSetPtr)
    return Text;
  llvm::raw_string_ostream OS(Text);
  llvm::yaml::Output Y(OS);
  std::vector<ApiModel> Models = C.ModelSetPtr->models();
  Y << Models;
  return Text;
}

std::string entryName(llvm::StringRef File) {
  return hashHex(llvm::xxh3_64bits(File)) + ".tu";
}

std::string pathIn(llvm::StringRef Dir, llvm::StringRef Name) {
  llvm::SmallString<256> P(Dir);
  llvm::sys::path::append(P, Name);
  return std::string(P);
}

bool isEntryName(llvm::StringRef Name) {
  return Name.size() == 19 && Name.ends_with(".tu") &&
         llvm::all_of(Name.take_front(16), llvm::isHexDigit);
}

} // namespace

std::string setupDigest(const TUJob &J, const CheckOptionsCLI &Opts) {
  Digest D;
  D.add(J.Cfg->Checks).add(Opts.Checks);
  D.add(J.HeaderFilter ? "h" : "").add(J.ExcludeHeaderFilter ? "x" : "");
  // The filters as the job applies them (the command line's or the
  // config's).
  D.add(Opts.HeaderFilterSet ? Opts.HeaderFilter : J.Cfg->HeaderFilter);
  D.add(Opts.ExcludeHeaderFilterSet ? Opts.ExcludeHeaderFilter
                                    : J.Cfg->ExcludeHeaderFilter);
  D.add(J.SystemHeaders).add(J.Cfg->InferModels);
  for (const auto &[K, V] : J.Cfg->Options)
    D.add(K).add(V);
  D.add(modelsText(*J.Cfg));
  for (const std::string &A : Opts.ExtraArgsBefore)
    D.add("B").add(A);
  for (const std::string &A : Opts.ExtraArgs)
    D.add("A").add(A);
  if (Opts.FixedFlags)
    for (const std::string &A : *Opts.FixedFlags)
      D.add("F").add(A);
  return D.hex();
}

std::string shardStamp(const Inputs &In, const CheckOptionsCLI &Opts) {
  Digest D;
  D.add(TETHER_VERSION).add(std::to_string(TUStoreSchema));
  // Each distinct setup once: a merge of a subset of the files is told
  // apart by fileListDigest, with its own message.
  std::map<const Config *, std::string> PerConfig;
  std::set<std::string> Setups;
  for (const TUJob &J : In.Jobs) {
    std::string &S = PerConfig[J.Cfg];
    if (S.empty())
      S = setupDigest(J, Opts);
    Setups.insert(S);
  }
  for (const std::string &S : Setups)
    D.add(S);
  return std::string("tether ") + TETHER_VERSION + " " + D.hex();
}

std::string fileListDigest(const Inputs &In) {
  Digest D;
  for (const TUJob &J : In.Jobs)
    D.add(J.File);
  for (const InputError &E : In.Errors)
    D.add("!").add(E.File);
  return D.hex();
}

std::vector<size_t> shardSlice(size_t Jobs, unsigned Index, unsigned Count) {
  std::vector<size_t> Out;
  for (size_t I = Index - 1; I < Jobs; I += Count)
    Out.push_back(I);
  return Out;
}

int prepareShardDir(const std::string &Dir, llvm::raw_ostream &Err) {
  llvm::sys::fs::file_status St;
  if (std::error_code EC = llvm::sys::fs::status(Dir, St, /*Follow=*/false)) {
    if (EC != std::errc::no_such_file_or_directory) {
      Err << "error: --shard-dir '" << Dir << "': " << EC.message() << "\n";
      return ExitShards;
    }
    if (std::error_code EC2 = llvm::sys::fs::create_directories(Dir)) {
      Err << "error: cannot create --shard-dir '" << Dir
          << "': " << EC2.message() << "\n";
      return ExitShards;
    }
    return ExitClean;
  }
  if (St.type() == llvm::sys::fs::file_type::symlink_file) {
    Err << "error: --shard-dir '" << Dir
        << "' is a symbolic link; name the directory itself\n";
    return ExitShards;
  }
  if (St.type() != llvm::sys::fs::file_type::directory_file) {
    Err << "error: --shard-dir '" << Dir << "' is not a directory\n";
    return ExitShards;
  }
  // An existing directory is ours only when a shard run wrote it: anything
  // else in it stays untouched.
  std::string Manifest = pathIn(Dir, ManifestName);
  bool Ours = llvm::sys::fs::is_regular_file(Manifest);
  std::vector<std::string> Entries;
  std::error_code EC;
  for (llvm::sys::fs::directory_iterator It(Dir, EC), End; It != End && !EC;
       It.increment(EC)) {
    llvm::StringRef Name = llvm::sys::path::filename(It->path());
    if (Name == ManifestName)
      continue;
    if (!Ours || !isEntryName(Name)) {
      Err << "error: --shard-dir '" << Dir
          << "' holds files a shard run did not write ('" << Name
          << "'); give an empty or new directory\n";
      return ExitShards;
    }
    Entries.push_back(It->path());
  }
  if (EC) {
    Err << "error: cannot read --shard-dir '" << Dir << "': " << EC.message()
        << "\n";
    return ExitShards;
  }
  // The old manifest goes first: a run that stops half-way leaves no
  // directory a merge would take for complete.
  if (Ours)
    llvm::sys::fs::remove(Manifest);
  for (const std::string &E : Entries)
    llvm::sys::fs::remove(E);
  return ExitClean;
}

int writeShard(const Inputs &In, const CheckOptionsCLI &Opts,
               llvm::ArrayRef<size_t> Slice, std::vector<TUResult> &Results,
               llvm::raw_ostream &Err) {
  std::string Stamp = shardStamp(In, Opts);
  llvm::json::Array Files;
  for (size_t K = 0; K < Slice.size(); ++K) {
    const TUJob &J = In.Jobs[Slice[K]];
    StoredTU T;
    T.File = J.File;
    T.Error = Results[K].Error;
    T.Findings = std::move(Results[K].Findings);
    T.Facts = std::move(Results[K].Facts);
    std::string Why, Path = pathIn(Opts.ShardDir, entryName(J.File));
    if (!writeOutputFile(Path, encodeStoredTU(T, Stamp), Why)) {
      Err << "error: cannot write '" << Path << "': " << Why << "\n";
      return ExitShards;
    }
    Files.push_back(bytesToJSON(J.File));
  }
  llvm::json::Object M{{"format", ManifestFormat},
                       {"schema", int64_t(TUStoreSchema)},
                       {"stamp", Stamp},
                       {"inputs", fileListDigest(In)},
                       {"shard", int64_t(Opts.ShardIndex)},
                       {"of", int64_t(Opts.ShardCount)},
                       {"files", std::move(Files)}};
  std::string Why, Path = pathIn(Opts.ShardDir, ManifestName);
  if (!writeOutputFile(
          Path,
          [&](std::string &Text) {
            llvm::raw_string_ostream OS(Text);
            OS << llvm::formatv("{0:2}", llvm::json::Value(std::move(M)))
               << "\n";
          },
          Why)) {
    Err << "error: cannot write '" << Path << "': " << Why << "\n";
    return ExitShards;
  }
  return ExitClean;
}

int readShards(const Inputs &In, const CheckOptionsCLI &Opts,
               std::vector<TUResult> &Results, llvm::raw_ostream &Err) {
  std::string Stamp = shardStamp(In, Opts), Inputs = fileListDigest(In);
  std::map<std::string, std::string> DirOf; // file -> shard directory
  std::map<unsigned, std::string> Seen;     // shard index -> directory
  int64_t Count = 0;
  for (const std::string &Dir : Opts.MergeDirs) {
    auto Fail = [&](llvm::StringRef Why) {
      Err << "error: --merge '" << Dir << "': " << Why << "\n";
      return ExitShards;
    };
    if (!llvm::sys::fs::is_directory(Dir))
      return Fail(llvm::sys::fs::exists(Dir) ? "not a directory"
                                             : "no such directory");
    std::string Text, Why;
    if (!readInputFile(pathIn(Dir, ManifestName), MaxReportInputBytes, Text,
                       Why))
      return Fail("not a shard directory (" + ManifestName.str() + ": " +
                  Why + ")");
    llvm::Expected<llvm::json::Value> V = llvm::json::parse(Text);
    if (!V) {
      llvm::consumeError(V.takeError());
      return Fail("malformed " + ManifestName.str());
    }
    const llvm::json::Object *O = V->getAsObject();
    if (!O || O->getString("format") != ManifestFormat)
      return Fail("malformed " + ManifestName.str());
    if (O->getInteger("schema") != int64_t(TUStoreSchema) ||
        O->getString("stamp") != Stamp) {
      std::string Other = O->getString("stamp").value_or("?").str();
      return Fail("written by another version of tether or another "
                  "configuration (checks, options, models, filters, compiler "
                  "arguments): '" +
                  Other.substr(0, Other.rfind(' ')) + "'");
    }
    if (O->getString("inputs") != Inputs)
      return Fail("made from another compile database or list of files");
    std::optional<int64_t> I = O->getInteger("shard"), N = O->getInteger("of");
    const llvm::json::Array *Files = O->getArray("files");
    if (!I || !N || *N < 1 || *I < 1 || *I > *N || !Files)
      return Fail("malformed " + ManifestName.str());
    if (Count && *N != Count)
      return Fail("shard " + std::to_string(*I) + "/" + std::to_string(*N) +
                  " does not belong with shards of " + std::to_string(Count));
    Count = *N;
    if (auto [It, New] = Seen.insert({unsigned(*I), Dir}); !New)
      return Fail("shard " + std::to_string(*I) + "/" + std::to_string(*N) +
                  " is also in '" + It->second + "'");
    for (const llvm::json::Value &F : *Files) {
      std::string Path;
      if (!bytesFromJSON(F, Path))
        return Fail("malformed " + ManifestName.str());
      DirOf[Path] = Dir;
    }
  }
  if (Seen.size() != size_t(Count)) {
    std::string Missing;
    for (int64_t I = 1; I <= Count; ++I)
      if (!Seen.count(unsigned(I)))
        Missing += (Missing.empty() ? "" : ", ") + std::to_string(I) + "/" +
                   std::to_string(Count);
    Err << "error: --merge: shard" << (Count - Seen.size() == 1 ? " " : "s ")
        << Missing << " missing\n";
    return ExitShards;
  }
  Results.clear();
  Results.resize(In.Jobs.size());
  for (size_t I = 0; I < In.Jobs.size(); ++I) {
    const std::string &File = In.Jobs[I].File;
    auto It = DirOf.find(File);
    if (It == DirOf.end()) {
      Err << "error: --merge: no shard holds '" << File << "'\n";
      return ExitShards;
    }
    std::string Path = pathIn(It->second, entryName(File)), Text, Why;
    StoredTU T;
    if (!readInputFile(Path, MaxReportInputBytes, Text, Why) ||
        !decodeStoredTU(Text, Stamp, T, Why) || T.File != File) {
      Err << "error: --merge: cannot read the result of '" << File
          << "' in '" << It->second << "': "
          << (Why.empty() ? "it is another file's" : Why) << "\n";
      return ExitShards;
    }
    Results[I].Error = std::move(T.Error);
    Results[I].Findings = std::move(T.Findings);
    Results[I].Facts = std::move(T.Facts);
  }
  return ExitClean;
}

} // namespace tether
