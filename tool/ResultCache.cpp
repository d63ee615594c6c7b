#include "ResultCache.h"
#include "SafeIO.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/xxhash.h"

#include <algorithm>
#include <chrono>
#include <fcntl.h>
#include <sys/stat.h>

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

void AbsenceRecorder::noteMissing(const llvm::Twine &Path,
                                  std::error_code EC) {
  if (EC != std::errc::no_such_file_or_directory &&
      EC != std::errc::not_a_directory)
    return;
  llvm::SmallString<256> P;
  Path.toVector(P);
  if (makeAbsolute(P))
    return;
  llvm::sys::path::remove_dots(P, /*remove_dot_dot=*/false);
  Missing.push_back(std::string(P));
}

llvm::ErrorOr<llvm::vfs::Status>
AbsenceRecorder::status(const llvm::Twine &Path) {
  llvm::ErrorOr<llvm::vfs::Status> S = ProxyFileSystem::status(Path);
  if (!S)
    noteMissing(Path, S.getError());
  return S;
}

llvm::ErrorOr<std::unique_ptr<llvm::vfs::File>>
AbsenceRecorder::openFileForRead(const llvm::Twine &Path) {
  auto F = ProxyFileSystem::openFileForRead(Path);
  if (!F)
    noteMissing(Path, F.getError());
  return F;
}

bool AbsenceRecorder::exists(const llvm::Twine &Path) {
  llvm::ErrorOr<llvm::vfs::Status> S = status(Path);
  return S && S->exists();
}

std::vector<std::string> AbsenceRecorder::absent() const {
  std::vector<std::string> Out = Missing;
  llvm::sort(Out);
  Out.erase(std::unique(Out.begin(), Out.end()), Out.end());
  return Out;
}

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

bool ResultCache::missing(const std::string &Path) {
  {
    std::lock_guard<std::mutex> L(Mu);
    auto It = Missing.find(Path);
    if (It != Missing.end())
      return It->second;
  }
  bool M = !llvm::sys::fs::exists(Path);
  std::lock_guard<std::mutex> L(Mu);
  return Missing.emplace(Path, M).first->second;
}

bool ResultCache::unchanged(const StoredTU &T) {
  for (const FileDigest &D : T.Reads)
    if (contentHash(D.Path) != std::optional<uint64_t>(D.Hash))
      return false;
  for (const std::string &P : T.Absent)
    if (!missing(P))
      return false;
  return true;
}

bool ResultCache::readEntry(const std::string &Path, llvm::StringRef Stamp,
                            StoredTU &Out, std::string *BytesOut) {
  std::string Bytes, Why;
  if (!readInputFile(Path, MaxEntryBytes, Bytes, Why))
    return false;
  if (!decodeStoredTU(Bytes, Stamp, Out, Why) || Out.Reads.empty() ||
      !unchanged(Out))
    return false;
  // Recently used: the last to go when the directory is trimmed.
  ::utimensat(AT_FDCWD, Path.c_str(), nullptr, AT_SYMLINK_NOFOLLOW);
  if (BytesOut)
    *BytesOut = std::move(Bytes);
  return true;
}

bool ResultCache::lookup(const std::string &Key, StoredTU &Out,
                         std::string *Bytes) {
  return readEntry(entryPath(Key), Key, Out, Bytes);
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
  std::lock_guard<std::mutex> L(Mu);
  if (Why.empty())
    Stored = true;
  else if (FirstError.empty())
    FirstError = Why;
}

void ResultCache::store(const std::string &Key, const std::string &Bytes) {
  write(entryPath(Key), Bytes);
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

bool ResultCache::stored() {
  std::lock_guard<std::mutex> L(Mu);
  return Stored;
}

size_t ResultCache::trim(uint64_t MaxBytes) {
  if (MaxBytes == 0)
    return 0;
  // What may be removed: entries (v<schema>/<2 hex>/<key>[-<linked>].tu)
  // and the temporary files of writers that died over an hour ago. Nothing
  // else, and nothing through a symbolic link.
  static const llvm::Regex Entry(
      "^v([0-9]+)/([0-9a-f]{2})/([0-9a-f]{16}(-[0-9a-f]{16})?\\.tu)$");
  static const llvm::Regex Temp(
      "^v[0-9]+/[0-9a-f]{2}/\\.[0-9a-f]{16}(-[0-9a-f]{16})?\\.tu\\.tether-["
      "a-z0-9]{10}$");
  struct Item {
    std::string Path;
    uint64_t Size;
    bool OtherSchema;
    llvm::sys::TimePoint<> Used;
  };
  std::vector<Item> Items;
  uint64_t Total = 0;
  auto Now = std::chrono::system_clock::now();
  std::error_code EC;
  for (llvm::sys::fs::recursive_directory_iterator
           It(Root, EC, /*follow_symlinks=*/false),
       End;
       It != End && !EC; It.increment(EC)) {
    if (It.level() > 2)
      continue;
    llvm::StringRef Path = It->path();
    llvm::StringRef Rel = Path.drop_front(Root.size()).ltrim('/');
    llvm::SmallVector<llvm::StringRef, 5> M;
    bool IsEntry = Entry.match(Rel, &M);
    if (!IsEntry && !Temp.match(Rel))
      continue;
    if (IsEntry && !M[3].starts_with(M[2]))
      continue;
    llvm::sys::fs::file_status St;
    if (llvm::sys::fs::status(Path, St, /*follow=*/false) ||
        St.type() != llvm::sys::fs::file_type::regular_file)
      continue;
    if (!IsEntry) {
      if (Now - St.getLastModificationTime() > std::chrono::hours(1))
        llvm::sys::fs::remove(Path);
      continue;
    }
    Items.push_back({Path.str(), St.getSize(),
                     M[1] != std::to_string(TUStoreSchema),
                     St.getLastModificationTime()});
    Total += St.getSize();
  }
  if (Total <= MaxBytes)
    return 0;
  std::sort(Items.begin(), Items.end(), [](const Item &A, const Item &B) {
    if (A.OtherSchema != B.OtherSchema)
      return A.OtherSchema;
    if (A.Used != B.Used)
      return A.Used < B.Used;
    return A.Path < B.Path;
  });
  uint64_t Goal = MaxBytes / 10 * 8;
  size_t Removed = 0;
  for (const Item &I : Items) {
    if (Total <= Goal)
      break;
    // Another run may have removed it already: its bytes are gone anyway.
    llvm::sys::fs::remove(I.Path);
    Total -= I.Size;
    ++Removed;
  }
  return Removed;
}

} // namespace tether
