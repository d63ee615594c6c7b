#include "ResultCache.h"
#include "SafeIO.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/xxhash.h"

#ifndef TETHER_VERSION
#define TETHER_VERSION "0.0.0"
#endif

namespace tether {

namespace {

// Entries are at most this large; a larger file is not ours.
constexpr size_t MaxEntryBytes = 256u << 20;

void addField(std::string &To, llvm::StringRef S) {
  To += std::to_string(S.size());
  To += ':';
  To += S;
}

// The executable's content: a rebuilt tether (another check, another
// model) never reads a result of the old one, version number or not.
std::string executableStamp() {
  static const std::string Stamp = [] {
    static int Anchor;
    std::string Exe = llvm::sys::fs::getMainExecutable(nullptr, &Anchor);
    auto Buf = llvm::MemoryBuffer::getFile(Exe, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
    if (!Buf)
      return std::string("unknown-executable");
    return hashHex(llvm::xxh3_64bits((*Buf)->getBuffer()));
  }();
  return Stamp;
}

} // namespace

ResultCache::ResultCache(std::string R) : Root(std::move(R)) {
  addField(BuildStamp, TETHER_VERSION);
  addField(BuildStamp, std::to_string(TUStoreSchema));
  addField(BuildStamp, executableStamp());
}

std::string ResultCache::defaultRoot() {
  llvm::SmallString<256> P;
  if (std::optional<std::string> X = llvm::sys::Process::GetEnv("XDG_CACHE_HOME");
      X && !X->empty() && llvm::sys::path::is_absolute(*X)) {
    P = *X;
  } else if (std::optional<std::string> H =
                 llvm::sys::Process::GetEnv("HOME");
             H && !H->empty()) {
    P = *H;
    llvm::sys::path::append(P, ".cache");
  } else {
    return "";
  }
  llvm::sys::path::append(P, "tether");
  return std::string(P);
}

std::string ResultCache::key(llvm::StringRef File, llvm::StringRef Directory,
                             const std::vector<std::string> &Args,
                             llvm::StringRef Setup) const {
  std::string Text = BuildStamp;
  addField(Text, File);
  addField(Text, Directory);
  addField(Text, Setup);
  for (const std::string &A : Args)
    addField(Text, A);
  return hashHex(llvm::xxh3_64bits(Text));
}

std::string ResultCache::entryPath(const std::string &Name) const {
  llvm::SmallString<256> P(Root);
  llvm::sys::path::append(P, "v" + std::to_string(TUStoreSchema),
                          llvm::StringRef(Name).take_front(2), Name + ".tu");
  return std::string(P);
}

std::optional<uint64_t> ResultCache::contentHash(const std::string &Path) {
  {
    std::lock_guard<std::mutex> L(Mu);
    auto It = Hashes.find(Path);
    if (It != Hashes.end())
      return It->second;
  }
  std::optional<uint64_t> H;
  auto Buf = llvm::MemoryBuffer::getFile(Path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (Buf)
    H = llvm::xxh3_64bits((*Buf)->getBuffer());
  std::lock_guard<std::mutex> L(Mu);
  return Hashes.emplace(Path, H).first->second;
}

bool ResultCache::unchanged(const std::vector<FileDigest> &Reads) {
  for (const FileDigest &D : Reads)
    if (contentHash(D.Path) != std::optional<uint64_t>(D.Hash))
      return false;
  return true;
}

bool ResultCache::readEntry(const std::string &Path, llvm::StringRef Stamp,
                            StoredTU &Out) {
  std::string Bytes, Why;
  if (!readInputFile(Path, MaxEntryBytes, Bytes, Why))
    return false;
  return decodeStoredTU(Bytes, Stamp, Out, Why) && !Out.Reads.empty() &&
         unchanged(Out.Reads);
}

bool ResultCache::lookup(const std::string &Key, StoredTU &Out) {
  return readEntry(entryPath(Key), Key, Out);
}

bool ResultCache::lookupLinked(const std::string &Key, uint64_t Linked,
                               std::vector<Finding> &Out) {
  std::string Name = Key + "-" + hashHex(Linked);
  StoredTU T;
  if (!readEntry(entryPath(Name), Name, T))
    return false;
  Out = std::move(T.Findings);
  return true;
}

void ResultCache::write(const std::string &Path, const std::string &Bytes) {
  std::string Why;
  llvm::StringRef Dir = llvm::sys::path::parent_path(Path);
  if (std::error_code EC = llvm::sys::fs::create_directories(Dir))
    Why = "cannot create '" + Dir.str() + "': " + EC.message();
  else
    writeOutputFile(Path, Bytes, Why);
  if (Why.empty())
    return;
  std::lock_guard<std::mutex> L(Mu);
  if (FirstError.empty())
    FirstError = Why;
}

void ResultCache::store(const std::string &Key, const StoredTU &T) {
  write(entryPath(Key), encodeStoredTU(T, Key));
}

void ResultCache::storeLinked(const std::string &Key, uint64_t Linked,
                              const StoredTU &T) {
  std::string Name = Key + "-" + hashHex(Linked);
  write(entryPath(Name), encodeStoredTU(T, Name));
}

std::string ResultCache::firstError() {
  std::lock_guard<std::mutex> L(Mu);
  return FirstError;
}

} // namespace tether
