#include "TUChecks.h"
#include "Check.h"

namespace tether {

const std::vector<CheckInfo> &registeredChecks() {
  static const std::vector<CheckInfo> Infos = [] {
    std::vector<CheckInfo> V;
    for (auto &C : createAllChecks())
      V.push_back(C->info());
    return V;
  }();
  return Infos;
}

} // namespace tether
