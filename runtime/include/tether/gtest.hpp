// GoogleTest glue for tether's leak finder (header-only; needs gtest).
//
//   TEST(Pool, Stops) { ...; tether::testing::VerifyNoLeaks(); }
//
// or, for every test of a binary, in main() before RUN_ALL_TESTS():
//
//   ::testing::UnitTest::GetInstance()->listeners().Append(
//       new tether::testing::LeakCheckListener());
//
// The listener attributes each leaked thread to the test that created it
// (threads created before the test started are not blamed on it).
#ifndef TETHER_GTEST_HPP
#define TETHER_GTEST_HPP

#include "tether/tether.hpp"

#include <gtest/gtest.h>

namespace tether::testing {

inline void VerifyNoLeaks(const LeakOptions &options = {}) {
  LeakReport r = FindLeaks(options);
  if (!r)
    ADD_FAILURE() << "tether: found unexpected threads:\n" << r.text;
}

class LeakCheckListener : public ::testing::EmptyTestEventListener {
public:
  explicit LeakCheckListener(LeakOptions options = {}) : options_(std::move(options)) {}
  void OnTestStart(const ::testing::TestInfo &) override { start_ = LastThreadId(); }
  void OnTestEnd(const ::testing::TestInfo &) override {
    LeakOptions o = options_;
    o.created_after = start_;
    LeakReport r = FindLeaks(o);
    EXPECT_TRUE(static_cast<bool>(r)) << "tether: this test leaked threads:\n" << r.text;
  }

private:
  LeakOptions options_;
  unsigned long long start_ = 0;
};

} // namespace tether::testing
#endif
