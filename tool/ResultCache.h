// The result cache: each TU's first-pass findings and exported facts, and
// its second pass under given linked facts, kept between runs so that a run
// re-analyses only what changed (docs/cli.md, "Result cache").
//
// Lookup before parsing, like ccache's manifest mode: the key hashes what is
// known before the parse — tether's build (version, storage schema, the
// executable's content), the TU's setup (checks, options, models, filters:
// setupDigest), its compile command (arguments and directory) and its file.
// The entry lists every file the parse read with the hash of its content,
// and every path the parse looked for and did not find (AbsenceRecorder);
// a lookup hashes those files again (each once per run) and is a hit only
// when every one is unchanged and none of the missing paths exists now — a
// header created in an include directory searched earlier, or next to the
// includer, shadows the one the entry was made with. A second pass is stored under the same key
// plus the digest of what the linked facts say about the TU's callees
// (LinkedFacts::digestFor).
//
// Entries are written whole to a temporary file in their directory and
// renamed into place (support/SafeIO.h): runs sharing the directory never
// see half an entry, and a damaged one (TUStore.h) is a miss.
//
// Size: a hit sets the entry's modification time, and a run that stored
// entries then trims the directory to a size bound, least recently used
// first (trim). Entries of another storage schema can never hit and go
// first. Only files named as entries are ever removed.
#pragma once

#include "TUStore.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/VirtualFileSystem.h"

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
}

namespace tether {

// A file system that records every path looked up and not found (absolute,
// "." removed): wrapped around the parse's file system when its result is
// cached.
class AbsenceRecorder : public llvm::vfs::ProxyFileSystem {
public:
  explicit AbsenceRecorder(llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS)
      : ProxyFileSystem(std::move(FS)) {}
  llvm::ErrorOr<llvm::vfs::Status> status(const llvm::Twine &Path) override;
  llvm::ErrorOr<std::unique_ptr<llvm::vfs::File>>
  openFileForRead(const llvm::Twine &Path) override;
  bool exists(const llvm::Twine &Path) override;
  // Sorted, without duplicates.
  std::vector<std::string> absent() const;

private:
  void noteMissing(const llvm::Twine &Path, std::error_code EC);
  std::vector<std::string> Missing;
};

class ResultCache {
public:
  // Root: the cache directory (created on first store).
  explicit ResultCache(std::string Root);
  const std::string &root() const { return Root; }

  // The key of a TU's first pass (hex).
  std::string key(llvm::StringRef File, llvm::StringRef Directory,
                  const std::vector<std::string> &Args,
                  llvm::StringRef Setup) const;

  // A hit fills Out (findings, facts, reads) when the entry is intact and
  // every file it lists is unchanged; with Bytes, also the entry as stored.
  bool lookup(const std::string &Key, StoredTU &Out,
              std::string *Bytes = nullptr);
  // Bytes: encodeStoredTU(T, Key) (the driver keeps them too).
  void store(const std::string &Key, const std::string &Bytes);
  // The second pass under linked facts with digest Linked.
  bool lookupLinked(const std::string &Key, uint64_t Linked,
                    std::vector<Finding> &Out);
  void storeLinked(const std::string &Key, uint64_t Linked,
                   const StoredTU &T);

  // The first store that failed, for one warning per run ("" if none).
  std::string firstError();
  // Whether this run stored an entry.
  bool stored();

  // Removes entries, least recently used first, until those left take at
  // most 80 % of MaxBytes; nothing when they take at most MaxBytes. Entries
  // of other schemas go first. Returns the number removed.
  size_t trim(uint64_t MaxBytes);

  // $XDG_CACHE_HOME/tether, else $HOME/.cache/tether; "" when neither is
  // set.
  static std::string defaultRoot();

private:
  std::string entryPath(const std::string &Name) const;
  bool readEntry(const std::string &Path, llvm::StringRef Stamp,
                 StoredTU &Out, std::string *Bytes = nullptr);
  bool unchanged(const StoredTU &T);
  bool missing(const std::string &Path);
  void write(const std::string &Path, const std::string &Bytes);
  std::optional<uint64_t> contentHash(const std::string &Path);

  std::string Root;
  std::string BuildStamp; // tether's version, schema, executable
  std::mutex Mu;
  std::map<std::string, std::optional<uint64_t>> Hashes; // per run
  std::map<std::string, bool> Missing;                   // per run
  std::string FirstError;
  bool Stored = false;
};

} // namespace tether
