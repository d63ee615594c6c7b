// A digest of what a link says about some functions, for the result cache
// (checks/core/TUFactsIO.h): kept out of Summaries.h, which every analysis
// includes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tether {

class LinkedSummaries;

// The linked events and facts of these functions (with where each comes
// from), as one xxh3-64; functions the link knows nothing of add nothing.
uint64_t linkedDigest(const LinkedSummaries &L,
                      const std::vector<std::string> &USRs);

} // namespace tether
