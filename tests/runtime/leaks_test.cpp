// The goleak-style leak finder, used from GoogleTest with the shim linked in.
#include "tether/gtest.hpp"
#include "tether/tether.hpp"

#include <gtest/gtest-spi.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

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
  o.max_retries = 5;
  return o;
}

TEST(Leaks, FindsARunningThreadWithItsCreationSite) {
  Parked p;
  tether::LeakReport r = tether::FindLeaks(fast());
  EXPECT_TRUE(r.leaked());
  ASSERT_EQ(r.thread_ids.size(), 1u) << r.text;
  EXPECT_NE(r.text.find("[cond wait, "), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("Parked::parkedWorker"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("Parked::Parked() in thread 1\n\t"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("leaks_test.cpp:"), std::string::npos) << r.text;
  p.release();
  EXPECT_FALSE(tether::FindLeaks(fast()).leaked());
}

// A thread is reported by the first check that finds it, not again.
TEST(Leaks, EachLeakIsReportedOnce) {
  Parked p;
  tether::LeakReport first = tether::FindLeaks(fast());
  ASSERT_EQ(first.thread_ids.size(), 1u) << first.text;
  tether::LeakReport again = tether::FindLeaks(fast());
  EXPECT_FALSE(again.leaked()) << again.text;
  tether::LeakOptions all = fast();
  all.include_reported = true;
  EXPECT_EQ(tether::FindLeaks(all).thread_ids, first.thread_ids);
  p.release();
}

// Count-based backoff: 20 retries from 1 us doubling up to max_sleep wait
// long enough for a thread that finishes in 100 ms when max_sleep allows it.
TEST(Leaks, WaitsForThreadsThatAreFinishing) {
  std::thread t([] { std::this_thread::sleep_for(std::chrono::milliseconds(100)); });
  t.detach();
  tether::LeakOptions o;
  o.max_sleep = std::chrono::milliseconds(500);
  tether::LeakReport r = tether::FindLeaks(o);
  EXPECT_FALSE(r.leaked()) << r.text;
}

TEST(Leaks, IgnoreTopFunction) {
  Parked p;
  tether::LeakOptions o = fast();
  o.ignore_top_functions = {"std::condition_variable::wait"};
  EXPECT_FALSE(tether::FindLeaks(o).leaked());
  tether::LeakOptions other = fast();
  other.ignore_top_functions = {"no_such_function"};
  EXPECT_TRUE(tether::FindLeaks(other).leaked());
  p.release();
}

TEST(Leaks, IgnoreCreatedBy) {
  Parked p;
  tether::LeakOptions o = fast();
  o.ignore_created_by = {"Parked::Parked"};
  EXPECT_FALSE(tether::FindLeaks(o).leaked());
  p.release();
}

TEST(Leaks, IgnoreCurrentAndPerTestAttribution) {
  Parked before;
  tether::LeakOptions o = fast();
  o.ignore_ids = tether::CurrentThreadIds();
  EXPECT_FALSE(tether::FindLeaks(o).leaked());
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

// A thread belongs to the mark open in the thread that (transitively)
// created it: a thread leaked during mark A that starts another thread
// while mark B is open has that thread blamed on A, not B.
TEST(Leaks, MarksFollowTheCreatorChain) {
  struct Spawner {
    std::mutex mu;
    std::condition_variable cv;
    bool spawn = false, done = false;
    Parked *child = nullptr;
    std::thread t;
  } s;
  tether::LeakMark a = tether::leak_mark();
  s.t = std::thread([&s] {
    std::unique_lock<std::mutex> l(s.mu);
    s.cv.wait(l, [&s] { return s.spawn; });
    s.child = new Parked(); // created while mark b is open
    s.done = true;
    s.cv.notify_all();
    s.cv.wait(l, [&s] { return !s.spawn; });
  });
  tether::LeakMark b = tether::leak_mark();
  std::thread clean([] {});
  clean.join();
  {
    std::unique_lock<std::mutex> l(s.mu);
    s.spawn = true;
    s.cv.notify_all();
    s.cv.wait(l, [&s] { return s.done; });
  }
  tether::LeakReport rb = tether::leaked_since(b, fast());
  EXPECT_FALSE(rb.leaked()) << rb.text;
  tether::LeakReport ra = tether::leaked_since(a, fast());
  EXPECT_EQ(ra.thread_ids.size(), 2u) << ra.text; // the spawner and its child
  {
    std::lock_guard<std::mutex> l(s.mu);
    s.spawn = false;
  }
  s.cv.notify_all();
  s.t.join();
  s.child->release();
  delete s.child;
}

TEST(Leaks, VerifyNoLeaksPassesWhenClean) {
  std::thread t([] {});
  t.join();
  tether::testing::VerifyNoLeaks(fast());
}

// A leak check's failure points at the code that called it.
TEST(Leaks, VerifyNoLeaksFailsAtTheCall) {
  Parked p;
  ::testing::TestPartResultArray failures;
  {
    ::testing::ScopedFakeTestPartResultReporter fake(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
    tether::testing::VerifyNoLeaks(fast()); int line = __LINE__;
    ASSERT_EQ(failures.size(), 1);
    EXPECT_STREQ(failures.GetTestPartResult(0).file_name(), __FILE__);
    EXPECT_EQ(failures.GetTestPartResult(0).line_number(), line);
  }
  p.release();
}

} // namespace

// ---- Tasks ------------------------------------------------------------------

// A session of request tasks that wait on an inbox: each request is a task
// suspended in "chan receive" until the inbox delivers to it.
class Inbox {
public:
  void await(tether::Task &t) {
    std::lock_guard<std::mutex> l(mu_);
    waiting_.push_back(&t);
    t.suspend("chan receive", this); // INBOX-AWAIT
  }
  // Delivers to every waiting task: each runs to its end.
  void deliverAll() {
    std::vector<tether::Task *> ws;
    {
      std::lock_guard<std::mutex> l(mu_);
      ws.swap(waiting_);
    }
    for (tether::Task *t : ws) {
      t->resume();
      t->end();
    }
  }

private:
  std::mutex mu_;
  std::vector<tether::Task *> waiting_;
};

struct Session {
  Inbox inbox;
  std::vector<std::unique_ptr<tether::Task>> requests;
  void open(int n) {
    for (int i = 0; i < n; ++i) {
      requests.emplace_back(new tether::Task("request")); // REQUEST-CREATED
      requests.back()->resume();
      inbox.await(*requests.back());
    }
  }
};

TEST(TaskLeaks, SuspendedTaskIsALeakUntilItEnds) {
  tether::LeakMark m = tether::leak_mark();
  Session s;
  s.open(2);
  tether::LeakReport r = tether::leaked_since(m, fast());
  EXPECT_TRUE(r.leaked());
  EXPECT_TRUE(r.thread_ids.empty());
  ASSERT_EQ(r.task_ids.size(), 2u) << r.text;
  EXPECT_EQ(r.task_ids[0], s.requests[0]->id());
  EXPECT_NE(r.text.find("\"request\" [chan receive, "), std::string::npos) << r.text;
  // The await point, then the creation site.
  EXPECT_NE(r.text.find("]:\nawait\n\t"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("leaks_test.cpp:"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("created by open in thread "), std::string::npos) << r.text;
  // Reported once: a second check finds nothing new.
  EXPECT_FALSE(tether::leaked_since(m, fast()).leaked());
  s.inbox.deliverAll();
  tether::LeakOptions all = fast();
  all.include_reported = true;
  EXPECT_FALSE(tether::leaked_since(m, all).leaked());
}

TEST(TaskLeaks, EndedTasksAndEarlierTasksAreNotThisTestsLeaks) {
  Session before;
  before.open(1); // outside the mark: not this test's
  tether::LeakMark m = tether::leak_mark();
  {
    Session s;
    s.open(3);
    s.inbox.deliverAll();
  }
  // A pool job that ran, and one dropped unrun: both ended.
  auto ran = tether::track_job([] { return 7; }, "job");
  EXPECT_EQ(ran(), 7);
  { auto dropped = tether::track_job([] {}, "dropped"); }
  EXPECT_FALSE(tether::leaked_since(m, fast()).leaked());
  before.inbox.deliverAll();
}

TEST(TaskLeaks, TasksOfAThreadStartedInTheTestAreTheTests) {
  tether::LeakMark m = tether::leak_mark();
  Session s;
  std::thread([&] { s.open(1); }).join(); // the thread ended; its task did not
  tether::LeakReport r = tether::leaked_since(m, fast());
  EXPECT_TRUE(r.thread_ids.empty());
  EXPECT_EQ(r.task_ids.size(), 1u) << r.text;
  s.inbox.deliverAll();
}

TEST(TaskLeaks, VerifyNoLeaksNamesTasks) {
  Session s;
  s.open(1);
  EXPECT_NONFATAL_FAILURE(tether::testing::VerifyNoLeaks(fast()),
                          "tether: found unexpected 1 task(s):");
  s.inbox.deliverAll();
}

TEST(TaskLeaks, CurrentTaskAndParents) {
  tether::Task outer("outer");
  EXPECT_EQ(tether_task_current(), nullptr);
  outer.resume();
  EXPECT_EQ(tether_task_current(), outer.get());
  tether::Task inner("inner"); // parent: the running task
  inner.resume();
  EXPECT_EQ(tether_task_current(), inner.get());
  inner.yield();
  EXPECT_EQ(tether_task_current(), outer.get()); // back to the task it interrupted
  std::ostringstream os;
  tether::dump(os, tether::Format::Json);
  std::string j = os.str();
  EXPECT_NE(j.find("\"name\":\"inner\",\"parent_id\":" + std::to_string(outer.id()) +
                   ",\"created_in_thread\":1,\"state\":\"runnable\""),
            std::string::npos)
      << j;
  EXPECT_NE(j.find("\"name\":\"outer\",\"parent_id\":0,\"created_in_thread\":1,\"state\":\"running\","
                   "\"reason\":\"running\",\"wait_ns\":0,\"timed\":false,\"object\":null,\"thread_id\":1,"),
            std::string::npos)
      << j;
  inner.end();
  outer.end();
  EXPECT_EQ(tether_task_current(), nullptr);
}

int main(int argc, char **argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // Every test above cleans up after itself, so the per-test listener passes.
  ::testing::UnitTest::GetInstance()->listeners().Append(new tether::testing::LeakCheckListener(fast()));
  return RUN_ALL_TESTS();
}
