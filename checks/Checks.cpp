// The check registry: every check tether ships, by id.
#include "core/Check.h"

namespace tether {

std::unique_ptr<Check> createChannelCloseWithActiveSendersCheck();
std::unique_ptr<Check> createChannelDoubleCloseCheck();
std::unique_ptr<Check> createChannelSendAfterCloseCheck();

std::vector<std::unique_ptr<Check>> createAllChecks() {
  std::vector<std::unique_ptr<Check>> All;
  All.push_back(createChannelCloseWithActiveSendersCheck());
  All.push_back(createChannelDoubleCloseCheck());
  All.push_back(createChannelSendAfterCloseCheck());
  return All;
}

} // namespace tether
