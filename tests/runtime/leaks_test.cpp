// The goleak-style leak finder, used from GoogleTest with the shim linked in.
#include "tether/gtest.hpp"
#include "tether/tether.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <thread>

namespace {

// A worker that blocks until released.
struct Parked {
  std::mutex mu;
  std::condition_variable cv;
  bool go = false;
  std::thread t;
  static void parkedWorker(Parked *p) {
    std::unique_lock<std::mutex> l(p->mu);
    p->cv.wait(l, [p] { return p->go; });
  }
  Parked() : t(parkedWorker, this) {
    // Wait until it is actually parked so stacks are stable.
    for (int i = 0; i < 200 && tether_thread_id() && !blocked(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  bool blocked() {
    std::ostringstream os;
    tether::dump(os, tether::Format::Json);
    return os.str().find("\"reason\":\"cond wait\"") != std::string::npos;
  }
  void release() {
    {
      std::lock_guard<std::mutex> l(mu);
      go = true;
    }
    cv.notify_all();
    t.join();
  }
};

tether::LeakOptions fast() {
  tether::LeakOptions o;
  o.max_retry = std::chrono::milliseconds(50);
  return o;
}

TEST(Leaks, FindsARunningThreadWithItsCreationSite) {
  Parked p;
  tether::LeakReport r = tether::FindLeaks(fast());
  EXPECT_FALSE(static_cast<bool>(r));
  ASSERT_EQ(r.thread_ids.size(), 1u) << r.text;
  EXPECT_NE(r.text.find("[cond wait, "), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("Parked::parkedWorker"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("Parked::Parked() in thread 1\n\t"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("leaks_test.cpp:"), std::string::npos) << r.text;
  p.release();
  EXPECT_TRUE(static_cast<bool>(tether::FindLeaks(fast())));
}

TEST(Leaks, WaitsForThreadsThatAreFinishing) {
  std::thread t([] { std::this_thread::sleep_for(std::chrono::milliseconds(100)); });
  t.detach();
  tether::LeakOptions o;
  o.max_retry = std::chrono::milliseconds(2000);
  tether::LeakReport r = tether::FindLeaks(o);
  EXPECT_TRUE(static_cast<bool>(r)) << r.text;
}

TEST(Leaks, IgnoreTopFunction) {
  Parked p;
  tether::LeakOptions o = fast();
  tether::IgnoreTopFunction(o, "std::condition_variable::wait");
  EXPECT_TRUE(static_cast<bool>(tether::FindLeaks(o)));
  tether::LeakOptions other = fast();
  tether::IgnoreTopFunction(other, "no_such_function");
  EXPECT_FALSE(static_cast<bool>(tether::FindLeaks(other)));
  p.release();
}

TEST(Leaks, IgnoreCreatedBy) {
  Parked p;
  tether::LeakOptions o = fast();
  tether::IgnoreCreatedBy(o, "Parked::Parked");
  EXPECT_TRUE(static_cast<bool>(tether::FindLeaks(o)));
  p.release();
}

TEST(Leaks, IgnoreCurrentAndPerTestAttribution) {
  Parked before;
  tether::LeakOptions o = fast();
  tether::IgnoreCurrent(o);
  EXPECT_TRUE(static_cast<bool>(tether::FindLeaks(o)));
  unsigned long long mark = tether::LastThreadId();
  Parked during;
  tether::LeakOptions since = fast();
  since.created_after = mark;
  tether::LeakReport r = tether::FindLeaks(since);
  ASSERT_EQ(r.thread_ids.size(), 1u) << r.text;
  EXPECT_GT(r.thread_ids[0], mark);
  during.release();
  before.release();
}

TEST(Leaks, VerifyNoLeaksPassesWhenClean) {
  std::thread t([] {});
  t.join();
  tether::testing::VerifyNoLeaks(fast());
}

} // namespace

int main(int argc, char **argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // Every test above cleans up after itself, so the per-test listener passes.
  ::testing::UnitTest::GetInstance()->listeners().Append(new tether::testing::LeakCheckListener(fast()));
  return RUN_ALL_TESTS();
}
