// The link phase: summaries survive JSON, calls are resolved through
// argument, `this` and return-value mappings, recursion terminates.
#include "Summaries.h"

#include <gtest/gtest.h>

using namespace tether;

namespace {

SummaryKey param(int I, std::vector<std::string> Path = {}) {
  SummaryKey K;
  K.Root = SummaryKey::Param;
  K.Index = I;
  K.Path = std::move(Path);
  return K;
}
SummaryKey thisKey(std::vector<std::string> Path) {
  SummaryKey K;
  K.Root = SummaryKey::This;
  K.Path = std::move(Path);
  return K;
}
SummaryKey ret() {
  SummaryKey K;
  K.Root = SummaryKey::Ret;
  return K;
}
ExternalEvent event(int Kind, SummaryKey K, unsigned Line) {
  ExternalEvent E;
  E.Kind = Kind;
  E.Key = std::move(K);
  E.Model = "boost::fibers::buffered_channel";
  E.Where.File = "/src/helpers.cpp";
  E.Where.Line = Line;
  E.Where.Column = 3;
  E.Function = "helpers::close_it";
  return E;
}

TUSummaries roundTrip(const TUSummaries &S) {
  std::string Text;
  llvm::raw_string_ostream OS(Text);
  OS << toJSON(S);
  llvm::Expected<llvm::json::Value> V = llvm::json::parse(Text);
  EXPECT_TRUE(bool(V));
  TUSummaries Out;
  EXPECT_TRUE(fromJSON(*V, Out));
  return Out;
}

} // namespace

TEST(Summaries, JsonRoundTripKeepsEverything) {
  TUSummaries S;
  ExternalSummary F;
  F.USR = "c:@F@close_it#&$@N@chan#";
  F.Name = "close_it";
  ExternalEvent E = event(6, param(1, {"out"}), 12);
  E.WaitsClose = true;
  E.InLoop = true;
  E.Handled = true;
  F.Events.push_back(E);
  ExternalCall C;
  C.Callee = "c:@F@other#";
  C.Args = {param(0), std::nullopt};
  SummaryKey This;
  This.Root = SummaryKey::This;
  C.Object = This;
  C.Dest = ret();
  F.Calls.push_back(C);
  S.Functions.push_back(F);
  S.ExternalCallees = {"c:@F@other#"};

  TUSummaries Out = roundTrip(S);
  ASSERT_EQ(Out.Functions.size(), 1u);
  const ExternalSummary &G = Out.Functions[0];
  EXPECT_EQ(G.USR, F.USR);
  ASSERT_EQ(G.Events.size(), 1u);
  EXPECT_EQ(G.Events[0].Key, param(1, {"out"}));
  EXPECT_EQ(G.Events[0].Where.Line, 12u);
  EXPECT_EQ(G.Events[0].Model, "boost::fibers::buffered_channel");
  EXPECT_TRUE(G.Events[0].WaitsClose && G.Events[0].InLoop &&
              G.Events[0].Handled);
  ASSERT_EQ(G.Calls.size(), 1u);
  ASSERT_EQ(G.Calls[0].Args.size(), 2u);
  EXPECT_EQ(*G.Calls[0].Args[0], param(0));
  EXPECT_FALSE(G.Calls[0].Args[1].has_value());
  EXPECT_EQ(G.Calls[0].Object->Root, SummaryKey::This);
  EXPECT_EQ(G.Calls[0].Dest->Root, SummaryKey::Ret);
  EXPECT_EQ(Out.ExternalCallees, S.ExternalCallees);
}

TEST(Summaries, MalformedInputIsRejected) {
  TUSummaries Out;
  EXPECT_FALSE(fromJSON(llvm::json::Value("nope"), Out));
  EXPECT_FALSE(fromJSON(llvm::json::Object{{"version", 2}}, Out));
  llvm::json::Value BadKey = llvm::json::Object{
      {"version", 1},
      {"functions",
       llvm::json::Array{llvm::json::Object{
           {"usr", "u"},
           {"events", llvm::json::Array{llvm::json::Object{
                          {"kind", 6},
                          {"key", llvm::json::Object{{"root", "global"}}}}}}}}}};
  EXPECT_FALSE(fromJSON(BadKey, Out));
}

TEST(Summaries, LinkMapsCalleeEventsThroughArgumentsThisAndReturn) {
  // close_it(chan&) closes its parameter.
  ExternalSummary Close;
  Close.USR = "close_it";
  Close.Events.push_back(event(6, param(0), 5));
  // Stage::stop() calls close_it(this->raw_).
  ExternalSummary Stop;
  Stop.USR = "stop";
  ExternalCall C1;
  C1.Callee = "close_it";
  C1.Args = {thisKey({"raw_"})};
  Stop.Calls.push_back(C1);
  // make() returns a channel a thread sends on; wrap() returns make()'s.
  ExternalSummary Make;
  Make.USR = "make";
  Make.Events.push_back(event(0, ret(), 9));
  ExternalSummary Wrap;
  Wrap.USR = "wrap";
  ExternalCall C2;
  C2.Callee = "make";
  C2.Dest = ret();
  Wrap.Calls.push_back(C2);
  // A call whose argument the caller cannot name maps nothing.
  ExternalSummary Lost;
  Lost.USR = "lost";
  ExternalCall C3;
  C3.Callee = "close_it";
  C3.Args = {std::nullopt};
  Lost.Calls.push_back(C3);

  TUSummaries A, B;
  A.Functions = {Close, Make};
  B.Functions = {Stop, Wrap, Lost};
  LinkedSummaries L;
  L.add(roundTrip(A));
  L.add(roundTrip(B));
  L.link();

  const auto *StopEvs = L.events("stop");
  ASSERT_TRUE(StopEvs);
  ASSERT_EQ(StopEvs->size(), 1u);
  EXPECT_EQ((*StopEvs)[0].Key, thisKey({"raw_"}));
  EXPECT_EQ((*StopEvs)[0].Where.Line, 5u); // where the close really is
  const auto *WrapEvs = L.events("wrap");
  ASSERT_TRUE(WrapEvs);
  EXPECT_EQ((*WrapEvs)[0].Key.Root, SummaryKey::Ret);
  EXPECT_EQ(L.events("lost"), nullptr);
  EXPECT_EQ(L.events("unknown"), nullptr);
}

TEST(Summaries, RecursionTerminatesAndChainsResolve) {
  // f -> g -> h -> f (a cycle), h closes its parameter; a long chain too.
  ExternalSummary F, G, H;
  F.USR = "f";
  G.USR = "g";
  H.USR = "h";
  auto Call = [](std::string Callee) {
    ExternalCall C;
    C.Callee = std::move(Callee);
    C.Args = {param(0)};
    return C;
  };
  F.Calls = {Call("g")};
  G.Calls = {Call("h")};
  H.Calls = {Call("f")};
  H.Events = {event(6, param(0), 1)};
  TUSummaries S;
  S.Functions = {F, G, H};
  const int N = 2000;
  for (int I = 0; I < N; ++I) {
    ExternalSummary X;
    X.USR = "chain" + std::to_string(I);
    if (I + 1 < N)
      X.Calls = {Call("chain" + std::to_string(I + 1))};
    else
      X.Events = {event(6, param(0), 2)};
    S.Functions.push_back(X);
  }
  LinkedSummaries L;
  L.add(S);
  L.link();
  ASSERT_TRUE(L.events("f"));
  EXPECT_EQ(L.events("f")->front().Where.Line, 1u);
  // Deep chains are cut at a fixed depth rather than overflowing the stack;
  // the functions near the end still see the close.
  EXPECT_TRUE(L.events("chain" + std::to_string(N - 2)));
}
