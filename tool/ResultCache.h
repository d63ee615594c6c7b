// The result cache: each TU's first-pass findings and exported facts, and
// its second pass under given linked facts, kept between runs so that a run
// re-analyses only what changed (docs/cli.md, "Result cache").
//
// Lookup before parsing, like ccache's manifest mode: the key hashes what is
// known before the parse — tether's build (version, storage schema, the
// executable's content), the TU's setup (checks, options, models, filters:
// setupDigest), its compile command (arguments and directory) and its file.
// The entry lists every file the parse read with the hash of its content;
// a lookup hashes those files again (each once per run) and is a hit only
// when every one is unchanged. A second pass is stored under the same key
// plus the digest of what the linked facts say about the TU's callees
// (LinkedFacts::digestFor).
//
// Entries are written whole to a temporary file in their directory and
// renamed into place (support/SafeIO.h): runs sharing the directory never
// see half an entry, and a damaged one (TUStore.h) is a miss.
#pragma once

#include "TUStore.h"

#include "llvm/ADT/StringRef.h"

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
}

namespace tether {

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
  // every file it lists is unchanged.
  bool lookup(const std::string &Key, StoredTU &Out);
  void store(const std::string &Key, const StoredTU &T);
  // The second pass under linked facts with digest Linked.
  bool lookupLinked(const std::string &Key, uint64_t Linked,
                    std::vector<Finding> &Out);
  void storeLinked(const std::string &Key, uint64_t Linked,
                   const StoredTU &T);

  // The first store that failed, for one warning per run ("" if none).
  std::string firstError();

  // $XDG_CACHE_HOME/tether, else $HOME/.cache/tether; "" when neither is
  // set.
  static std::string defaultRoot();

private:
  std::string entryPath(const std::string &Name) const;
  bool readEntry(const std::string &Path, llvm::StringRef Stamp,
                 StoredTU &Out);
  bool unchanged(const std::vector<FileDigest> &Reads);
  void write(const std::string &Path, const std::string &Bytes);
  std::optional<uint64_t> contentHash(const std::string &Path);

  std::string Root;
  std::string BuildStamp; // tether's version, schema, executable
  std::mutex Mu;
  std::map<std::string, std::optional<uint64_t>> Hashes; // per run
  std::string FirstError;
};

} // namespace tether
