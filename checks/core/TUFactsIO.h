// The stored form of the link phase's handles (TUChecks.h), for the result
// cache and for shards: a TU's exported facts written by one process link
// in another as if they had just been computed. Like TUChecks.h, includes
// no analysis header: the driver moves JSON and hashes, never records.
#pragma once

#include "TUChecks.h"

#include "llvm/Support/JSON.h"

#include <cstdint>

namespace tether {

// A TU's export as JSON and back, exactly (the records' own form,
// analysis/Summaries.h; null for a TU that exported nothing). factsFromJSON
// returns false on malformed input or another version's records, and
// leaves Out empty then.
llvm::json::Value factsToJSON(const TUFacts &Facts);
bool factsFromJSON(const llvm::json::Value &V, TUFacts &Out);

// What the linked facts say about the functions the TU that exported Facts
// calls without defining them, as one hash: equal digests give that TU the
// same second pass (the result cache keys second passes by it).
uint64_t linkedDigestFor(const LinkedFacts &Linked, const TUFacts &Facts);

} // namespace tether
