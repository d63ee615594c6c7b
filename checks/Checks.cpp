// The check registry: every check tether ships, by id.
#include "core/Check.h"

namespace tether {

std::unique_ptr<Check> createChannelBlockedSendLeakCheck();
std::unique_ptr<Check> createChannelCloseWithActiveSendersCheck();
std::unique_ptr<Check> createChannelDoubleCloseCheck();
std::unique_ptr<Check> createChannelReceiverCloseCheck();
std::unique_ptr<Check> createChannelSendAfterCloseCheck();
std::unique_ptr<Check> createChannelUnclosedCheck();
std::unique_ptr<Check> createLockHeldAcrossBlockingCheck();
std::unique_ptr<Check> createCancelLostWakeupCheck();
std::unique_ptr<Check> createCancelLostCheck();
std::unique_ptr<Check> createCancelDroppedTokenCheck();
std::unique_ptr<Check> createCancelMissingCheck();
std::unique_ptr<Check> createCancelUninterruptibleWaitCheck();
std::unique_ptr<Check> createThreadLeakCheck();
std::unique_ptr<Check> createThreadLoopCaptureByRefCheck();
std::unique_ptr<Check> createThreadUnboundedSpawnCheck();

std::vector<std::unique_ptr<Check>> createAllChecks() {
  std::vector<std::unique_ptr<Check>> All;
  All.push_back(createChannelBlockedSendLeakCheck());
  All.push_back(createChannelCloseWithActiveSendersCheck());
  All.push_back(createChannelDoubleCloseCheck());
  All.push_back(createChannelReceiverCloseCheck());
  All.push_back(createChannelSendAfterCloseCheck());
  All.push_back(createChannelUnclosedCheck());
  All.push_back(createLockHeldAcrossBlockingCheck());
  All.push_back(createCancelLostWakeupCheck());
  All.push_back(createCancelLostCheck());
  All.push_back(createCancelDroppedTokenCheck());
  All.push_back(createCancelMissingCheck());
  All.push_back(createCancelUninterruptibleWaitCheck());
  All.push_back(createThreadLeakCheck());
  All.push_back(createThreadLoopCaptureByRefCheck());
  All.push_back(createThreadUnboundedSpawnCheck());
  return All;
}

} // namespace tether
