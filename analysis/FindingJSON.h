// Findings as JSON, every field kept: the form in which a TU's findings are
// stored (shards, the result cache) and read back to be merged and written
// as if the TU had just been analysed. Not the JSON output format
// (tool/OutputJson.cpp), which is for readers and drops what they do not
// need.
#pragma once

#include "Finding.h"

#include "llvm/Support/JSON.h"

#include <vector>

namespace tether {

// Any bytes as JSON, exactly: a UTF-8 string as itself, other bytes (a
// Latin-1 source line, a path) as {"hex": "..."}, since llvm::json holds
// UTF-8 only.
llvm::json::Value bytesToJSON(llvm::StringRef S);
// Reads what bytesToJSON wrote; false on anything else.
bool bytesFromJSON(const llvm::json::Value &V, std::string &Out);

llvm::json::Value toJSON(const Finding &F);
// Returns false on malformed input (nothing is then guaranteed about F).
bool fromJSON(const llvm::json::Value &V, Finding &F);

llvm::json::Value findingsToJSON(const std::vector<Finding> &Findings);
bool findingsFromJSON(const llvm::json::Value &V,
                      std::vector<Finding> &Findings);

} // namespace tether
