// A clean GoogleTest suite of 200 tests that each start and join threads,
// for bench/runtime/gtest_bench.sh. `gtest_clean --tether` runs it under
// tether::testing::VerifyTestMain (a leak check after every test), otherwise
// plain RUN_ALL_TESTS().
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <future>
#include <thread>
#include <vector>

#ifdef WITH_TETHER
#include "tether/gtest.hpp"
#endif

class Clean : public ::testing::TestWithParam<int> {};

TEST_P(Clean, StartsAndJoinsThreads) {
  std::atomic<int> sum{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&sum, i] { sum += i + GetParam(); });
  for (auto &t : ts)
    t.join();
  auto f = std::async(std::launch::async, [] { return 1; });
  EXPECT_EQ(sum.load() + f.get(), 6 + 4 * GetParam() + 1);
}

INSTANTIATE_TEST_SUITE_P(Suite, Clean, ::testing::Range(0, 200));

int main(int argc, char **argv) {
#ifdef WITH_TETHER
  return tether::testing::VerifyTestMain(argc, argv);
#else
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
#endif
}
