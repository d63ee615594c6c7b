// The channel flow's questions on small functions: which events on one
// channel may happen after a close or at the same time as another, which
// detached sends may still block when the function returns, who sends,
// consumes, owns and closes. The checks decide findings from these answers;
// here the answers themselves are tested.
#include "AnalysisHarness.h"
#include "ChannelFlow.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace clang;
using namespace tether;
using tether::testing::Snippet;

namespace {

const char *Prelude = R"(
#include <boost/fiber/buffered_channel.hpp>
#include <boost/fiber/unbuffered_channel.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>
using Chan = boost::fibers::buffered_channel<int>;
using Unbuffered = boost::fibers::unbuffered_channel<int>;
using boost::fibers::channel_op_status;
void use(int);
int produce();
)";

// The source line an event happens on (its operation, or the call or
// spawn that leads to it).
unsigned lineOf(Snippet &X, const ChanEvent &Ev) {
  return X.ast().getSourceManager().getPresumedLineNumber(Ev.opLoc());
}

// The line in Code (1-based, after the prelude) holding Marker.
unsigned lineOf(const std::string &Code, llvm::StringRef Marker) {
  std::string All = std::string(Prelude) + Code;
  size_t At = All.find(Marker.str());
  EXPECT_NE(At, std::string::npos) << Marker.str();
  return unsigned(std::count(All.begin(), All.begin() + At, '\n')) + 1;
}

struct Flow {
  Flow(const std::string &Code, llvm::StringRef Fn)
      : X(std::string(Prelude) + Code), FD(X.function(Fn)),
        A(X.tu(), FD), F(A.channelFlow()) {}
  Snippet X;
  const FunctionDecl *FD;
  FunctionAnalyses A;
  const ChannelFlow &F;

  // The pairs of that order whose later and earlier events are on these
  // lines.
  std::vector<EventPair> pairs(EventPair::OrderKind Order, unsigned Later,
                               unsigned Earlier) {
    std::vector<EventPair> Out;
    for (const EventPair &P : F.pairs())
      if (P.Order == Order && lineOf(X, P.Later.ev()) == Later &&
          lineOf(X, P.Earlier.ev()) == Earlier)
        Out.push_back(P);
    return Out;
  }
  // The key of the first event the flow sees on that line.
  std::optional<ObjectKey> keyAt(unsigned Line) {
    std::optional<ObjectKey> K;
    F.events([&](const Party &P) {
      if (!K && P.Ev->Op && lineOf(X, *P.Ev) == Line)
        K = P.Ev->Key;
    });
    return K;
  }
};

} // namespace

TEST(ChannelFlow, SendOnAPathAfterTheCloseIsOrderedAfterIt) {
  std::string Code = R"(
void f(Chan &ch, bool stop) {
  if (stop)
    ch.close();          // CLOSE
  ch.push(1);            // SEND
}
)";
  Flow X(Code, "f");
  unsigned Close = lineOf(Code, "// CLOSE"), Send = lineOf(Code, "// SEND");
  auto Ps = X.pairs(EventPair::AfterClose, Send, Close);
  ASSERT_EQ(Ps.size(), 1u);
  EXPECT_EQ(Ps[0].Later.Thread, -1);
  EXPECT_EQ(Ps[0].Earlier.Thread, -1);
  EXPECT_EQ(Ps[0].Later.ev().Kind, ChanOpKind::Send);
  EXPECT_EQ(Ps[0].Earlier.ev().Kind, ChanOpKind::Close);
  // Nothing is concurrent: no thread was started.
  for (const EventPair &P : X.F.pairs())
    EXPECT_EQ(P.Order, EventPair::AfterClose);
  EXPECT_TRUE(X.F.threads().empty());
}

TEST(ChannelFlow, ExclusiveBranchesAreNotOrdered) {
  std::string Code = R"(
void f(Chan &ch, bool stop) {
  if (stop)
    ch.close();          // CLOSE
  if (!stop)
    ch.push(1);          // SEND
  ch.close();            // CLOSE2
}
)";
  Flow X(Code, "f");
  unsigned Close = lineOf(Code, "// CLOSE"), Send = lineOf(Code, "// SEND"),
           Close2 = lineOf(Code, "// CLOSE2");
  // The send only runs when the first close did not.
  EXPECT_TRUE(X.pairs(EventPair::AfterClose, Send, Close).empty());
  // The second close runs on every path, also after the first.
  EXPECT_EQ(X.pairs(EventPair::AfterClose, Close2, Close).size(), 1u);
}

TEST(ChannelFlow, ARunningThreadIsConcurrentUntilJoined) {
  std::string Code = R"(
void f() {
  Chan ch{8};
  std::thread t([&ch] {
    ch.push(1);          // SEND
  });
  ch.close();            // RACE
  t.join();
  ch.close();            // AFTER_JOIN
}
)";
  Flow X(Code, "f");
  ASSERT_EQ(X.F.threads().size(), 1u);
  const ThreadStart &T = X.F.threads()[0];
  ASSERT_TRUE(T.Handle);
  EXPECT_EQ(T.Handle->describe(), "t");
  EXPECT_FALSE(T.Detached);
  unsigned Send = lineOf(Code, "// SEND"), Race = lineOf(Code, "// RACE"),
           AfterJoin = lineOf(Code, "// AFTER_JOIN");
  auto Ps = X.pairs(EventPair::Concurrent, Race, Send);
  ASSERT_EQ(Ps.size(), 1u);
  EXPECT_EQ(Ps[0].Later.Thread, -1);
  EXPECT_EQ(Ps[0].Earlier.Thread, 0);
  EXPECT_FALSE(Ps[0].JoinsFirst);
  EXPECT_FALSE(Ps[0].ReleasesBlocked);
  // After the join the thread's send happened before: no race.
  EXPECT_TRUE(X.pairs(EventPair::Concurrent, AfterJoin, Send).empty());
  // The second close follows the first on the path.
  EXPECT_EQ(X.pairs(EventPair::AfterClose, AfterJoin, Race).size(), 1u);

  // Who does what to the channel.
  std::optional<ObjectKey> K = X.keyAt(Race);
  ASSERT_TRUE(K);
  EXPECT_TRUE(X.F.sends(0, *K));
  EXPECT_FALSE(X.F.sends(-1, *K));
  EXPECT_FALSE(X.F.consumes(0, *K));
  EXPECT_TRUE(X.F.owned(*K));
}

TEST(ChannelFlow, ACloserThatJoinsTheSendersFirstIsMarked) {
  std::string Code = R"(
void f() {
  Chan ch{8};
  std::thread producer([&ch] {
    ch.push(1);          // SEND
  });
  std::thread closer([&ch, &producer] {
    producer.join();
    ch.close();          // CLOSE
  });
  closer.join();
}
)";
  Flow X(Code, "f");
  ASSERT_EQ(X.F.threads().size(), 2u);
  unsigned Send = lineOf(Code, "// SEND"), Close = lineOf(Code, "// CLOSE");
  auto Ps = X.pairs(EventPair::Concurrent, Close, Send);
  ASSERT_EQ(Ps.size(), 1u);
  EXPECT_EQ(Ps[0].Later.Thread, 1);
  EXPECT_EQ(Ps[0].Earlier.Thread, 0);
  EXPECT_TRUE(Ps[0].JoinsFirst);
}

TEST(ChannelFlow, InstancesOfOneThreadStartedInALoopAreConcurrent) {
  std::string Code = R"(
void f(Chan &ch) {
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&ch] {
      ch.push(produce());
      ch.close();        // CLOSE
    });
  for (auto &t : ts)
    t.join();
}
)";
  Flow X(Code, "f");
  ASSERT_EQ(X.F.threads().size(), 1u);
  EXPECT_TRUE(X.F.threads()[0].GroupHandle);
  unsigned Close = lineOf(Code, "// CLOSE");
  auto Ps = X.pairs(EventPair::Concurrent, Close, Close);
  ASSERT_EQ(Ps.size(), 1u);
  EXPECT_EQ(Ps[0].Later.Thread, 0);
  EXPECT_EQ(Ps[0].Earlier.Thread, 0);
  // A channel that came in as a parameter is not this function's own.
  std::optional<ObjectKey> K = X.keyAt(Close);
  ASSERT_TRUE(K);
  EXPECT_FALSE(X.F.owned(*K));
  EXPECT_TRUE(X.F.sends(0, *K));
}

TEST(ChannelFlow, ADetachedSendNobodyTakesIsStuckAtTheReturn) {
  std::string Code = R"(
bool f() {
  auto ch = std::make_shared<Unbuffered>();
  std::thread([ch] {
    ch->push(produce()); // SEND
  }).detach();
  int v;
  auto r = ch->pop_wait_for(v, std::chrono::seconds(1)); // GIVEUP
  if (r == channel_op_status::timeout)
    return false;
  use(v);
  return true;
}
bool g() {
  auto ch = std::make_shared<Unbuffered>();
  std::thread([ch] { ch->push(produce()); }).detach();
  int v;
  ch->pop(v);
  use(v);
  return true;
}
)";
  Flow X(Code, "f");
  ASSERT_EQ(X.F.threads().size(), 1u);
  EXPECT_TRUE(X.F.threads()[0].Detached);
  ASSERT_EQ(X.F.stuckSends().size(), 1u);
  const StuckSend &S = X.F.stuckSends()[0];
  EXPECT_EQ(S.Send.Thread, 0);
  EXPECT_EQ(lineOf(X.X, S.Send.ev()), lineOf(Code, "// SEND"));
  ASSERT_TRUE(S.GaveUp);
  EXPECT_EQ(S.GaveUp->Kind, ChanOpKind::TimedReceive);
  EXPECT_EQ(lineOf(X.X, *S.GaveUp), lineOf(Code, "// GIVEUP"));

  // A receive that waits until the value comes takes it on every path.
  FunctionAnalyses G(X.X.tu(), X.X.function("g"));
  EXPECT_TRUE(G.channelFlow().stuckSends().empty());
}

TEST(ChannelFlow, ConsumersAndMembersClosing) {
  std::string Code = R"(
class Stage {
public:
  void run() {
    std::thread reader([this] {
      int v;
      while (in_.pop(v) == channel_op_status::success) // WAIT
        use(v);
    });
    reader.join();
  }
  void stop() { out_.close(); }
private:
  Chan in_{4};
  Chan out_{4};
};
class Closing {
public:
  void run() {
    std::thread reader([this] {
      int v;
      while (in_.pop(v) == channel_op_status::success)
        use(v);
    });
    reader.join();
  }
  void stop() { in_.close(); }
private:
  Chan in_{4};
};
)";
  Flow X(Code, "run");
  ASSERT_EQ(X.F.threads().size(), 1u);
  std::optional<ObjectKey> K;
  X.F.events([&](const Party &P) {
    if (P.Ev->WaitsClose)
      K = P.Ev->Key;
  });
  ASSERT_TRUE(K);
  EXPECT_TRUE(X.F.consumes(0, *K));
  EXPECT_FALSE(X.F.sends(0, *K));
  // X.function("run") is the last `run`: Closing's, whose stop() closes.
  EXPECT_EQ(X.F.membersClose(*K), std::optional<bool>(true));

  // Stage's stop() closes another member: nothing closes in_.
  const FunctionDecl *StageRun = nullptr;
  for (const FunctionDecl *F : X.X.functions())
    if (const auto *MD = dyn_cast<CXXMethodDecl>(F))
      if (MD->getIdentifier() && MD->getName() == "run" &&
          MD->getParent()->getName() == "Stage")
        StageRun = F;
  ASSERT_TRUE(StageRun);
  FunctionAnalyses S(X.X.tu(), StageRun);
  std::optional<ObjectKey> SK;
  S.channelFlow().events([&](const Party &P) {
    if (P.Ev->WaitsClose)
      SK = P.Ev->Key;
  });
  ASSERT_TRUE(SK);
  EXPECT_EQ(S.channelFlow().membersClose(*SK), std::optional<bool>(false));
}

TEST(ChannelFlow, NoChannelNoFlow) {
  Snippet X("void f(int &x) { x = 1; }");
  FunctionAnalyses A(X.tu(), X.function("f"));
  const ChannelFlow &F = A.channelFlow();
  EXPECT_TRUE(F.threads().empty());
  EXPECT_TRUE(F.pairs().empty());
  EXPECT_TRUE(F.stuckSends().empty());
  unsigned N = 0;
  F.events([&](const Party &) { ++N; });
  EXPECT_EQ(N, 0u);
}
