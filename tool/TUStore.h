// One translation unit's result on disk: what its first pass found and the
// facts it exports to the link phase, so that another process (the merge of
// shards, a later run reading the result cache) links and reports it exactly
// as if the TU had just been analysed.
//
// An entry is one file:
//
//   tether-tu <schema> <xxh3-64 of the body, hex> <body bytes>\n
//   <body: one JSON object>
//
// The body names the stamp it was written under (tether's version and
// whatever else the writer says the result depends on): an entry read under
// another stamp, of another schema, truncated, with a bad checksum or with
// malformed JSON is a miss, never a wrong result.
#pragma once

#include "TUChecks.h"
#include "TUFactsIO.h"

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tether {

// Raised whenever the body's meaning changes.
constexpr unsigned TUStoreSchema = 2;

// A file a TU's parse read, with the xxh3-64 of its content.
struct FileDigest {
  std::string Path;
  uint64_t Hash = 0;
  bool operator==(const FileDigest &O) const {
    return Path == O.Path && Hash == O.Hash;
  }
};

struct StoredTU {
  std::string File;  // the TU's main file, absolute
  std::string Error; // non-empty: the TU could not be analysed, and why
  std::vector<Finding> Findings; // first pass
  TUFacts Facts;
  // Every file the parse read (main file and headers), for the cache to
  // validate; empty in shards.
  std::vector<FileDigest> Reads;
  // Every path the parse looked for and did not find (an include directory
  // searched before the one that held the header, a __has_include): a file
  // created there later may shadow one of Reads.
  std::vector<std::string> Absent;
};

std::string encodeStoredTU(const StoredTU &T, llvm::StringRef Stamp);
// Returns false with Why set ("truncated", "checksum mismatch", "written by
// another configuration", ...) when Bytes is not an entry of this schema
// and stamp; Out is then unspecified.
bool decodeStoredTU(llvm::StringRef Bytes, llvm::StringRef Stamp,
                    StoredTU &Out, std::string &Why);

// xxh3-64 as 16 lower-case hex digits.
std::string hashHex(uint64_t H);

} // namespace tether
