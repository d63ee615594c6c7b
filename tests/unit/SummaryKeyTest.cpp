// The one mapping between a function's objects and the names other TUs see
// (SummaryKey), used by the channel summaries and the facts alike.
#include "AnalysisHarness.h"
#include "ObjectKey.h"
#include "Summaries.h"

#include "clang/AST/DeclCXX.h"

using namespace clang;
using namespace tether;
using namespace tether::testing;

namespace {

const char *Code = R"(
namespace net {
struct Queue { int depth; };
struct Conn { Queue in; Queue out; };
Conn g_conn;
} // namespace net
struct Server {
  net::Conn conn_;
  int handle(net::Conn &c, int n);
  net::Conn make();
};
int Server::handle(net::Conn &c, int n) {
  static net::Conn s_local;
  net::Conn local;
  return c.in.depth + conn_.out.depth + net::g_conn.in.depth + n +
         s_local.in.depth + local.in.depth;
}
net::Conn Server::make() { return conn_; }
)";

// The key of the first member expression in FD spelled `Spelling`.
std::optional<ObjectKey> keyOfMember(const FunctionDecl *FD,
                                     llvm::StringRef Spelling,
                                     ASTContext &AST) {
  struct Find : RecursiveASTVisitor<Find> {
    llvm::StringRef Want;
    ASTContext *AST;
    const Expr *Found = nullptr;
    bool VisitMemberExpr(MemberExpr *ME) {
      std::string Text;
      llvm::raw_string_ostream OS(Text);
      ME->printPretty(OS, nullptr, PrintingPolicy(AST->getLangOpts()));
      if (!Found && OS.str() == Want)
        Found = ME;
      return true;
    }
  } F;
  F.Want = Spelling;
  F.AST = &AST;
  F.TraverseStmt(FD->getBody());
  EXPECT_TRUE(F.Found) << Spelling.str();
  if (!F.Found)
    return std::nullopt;
  ObjectResolver R(FD->getBody());
  return R.keyOf(F.Found);
}

SummaryKey key(SummaryKey::RootKind Root, std::vector<std::string> Path,
               int Index = 0, std::string Name = {}) {
  SummaryKey K;
  K.Root = Root;
  K.Index = Index;
  K.Name = std::move(Name);
  K.Path = std::move(Path);
  return K;
}

} // namespace

TEST(SummaryKey, NamesParametersMembersAndGlobalsAsOtherTUsSeeThem) {
  Snippet S(Code);
  const FunctionDecl *FD = S.function("handle");
  ASSERT_TRUE(FD);
  SummaryRoots Facts{/*Globals=*/true, /*Ret=*/false};
  SummaryRoots Channels{/*Globals=*/false, /*Ret=*/true};

  auto Param = keyOfMember(FD, "c.in.depth", S.ast());
  ASSERT_TRUE(Param);
  EXPECT_EQ(summaryKeyOf(*Param, FD, Facts),
            key(SummaryKey::Param, {"in", "depth"}, 0));
  EXPECT_EQ(summaryKeyOf(*Param, FD, Channels),
            key(SummaryKey::Param, {"in", "depth"}, 0));

  auto Member = keyOfMember(FD, "this->conn_.out.depth", S.ast());
  ASSERT_TRUE(Member);
  EXPECT_EQ(summaryKeyOf(*Member, FD, Facts),
            key(SummaryKey::This, {"conn_", "out", "depth"}));

  auto Global = keyOfMember(FD, "net::g_conn.in.depth", S.ast());
  ASSERT_TRUE(Global);
  EXPECT_EQ(summaryKeyOf(*Global, FD, Facts),
            key(SummaryKey::Global, {"in", "depth"}, 0, "net::g_conn"));
  EXPECT_FALSE(summaryKeyOf(*Global, FD, Channels))
      << "channel summaries do not follow globals";

  // Objects no other TU can name.
  auto Static = keyOfMember(FD, "s_local.in.depth", S.ast());
  ASSERT_TRUE(Static);
  EXPECT_FALSE(summaryKeyOf(*Static, FD, Facts));
  auto Local = keyOfMember(FD, "local.in.depth", S.ast());
  ASSERT_TRUE(Local);
  EXPECT_FALSE(summaryKeyOf(*Local, FD, Facts));

  // A parameter of another function is not one of FD's.
  const FunctionDecl *Make = S.function("make");
  ASSERT_TRUE(Make);
  EXPECT_FALSE(summaryKeyOf(*Param, Make, Facts));

  // The returned object, for channel summaries only.
  ObjectKey Ret;
  Ret.Ret = true;
  EXPECT_EQ(summaryKeyOf(Ret, Make, Channels), key(SummaryKey::Ret, {}));
  EXPECT_FALSE(summaryKeyOf(Ret, Make, Facts));
}

TEST(SummaryKey, ResolvesBackToTheSameObjects) {
  Snippet S(Code);
  const FunctionDecl *FD = S.function("handle");
  ASSERT_TRUE(FD);
  SummaryRoots All{/*Globals=*/true, /*Ret=*/true};
  for (const char *Spelling :
       {"c.in.depth", "this->conn_.out.depth", "net::g_conn.in.depth"}) {
    auto K = keyOfMember(FD, Spelling, S.ast());
    ASSERT_TRUE(K) << Spelling;
    auto Named = summaryKeyOf(*K, FD, All);
    ASSERT_TRUE(Named) << Spelling;
    EXPECT_EQ(resolveSummaryKey(*Named, FD, S.ast()), K) << Spelling;
  }
  // The returned object's fields.
  const FunctionDecl *Make = S.function("make");
  auto R = resolveSummaryKey(key(SummaryKey::Ret, {"out"}), Make, S.ast());
  ASSERT_TRUE(R);
  EXPECT_TRUE(R->Ret);
  ASSERT_EQ(R->Path.size(), 1u);
  EXPECT_EQ(R->Path[0]->getName(), "out");
}

TEST(SummaryKey, WhatTheTUCannotNameDoesNotResolve) {
  Snippet S(Code);
  const FunctionDecl *FD = S.function("handle");
  ASSERT_TRUE(FD);
  // No third parameter, no such member, field or global.
  EXPECT_FALSE(resolveSummaryKey(key(SummaryKey::Param, {}, 2), FD, S.ast()));
  EXPECT_FALSE(
      resolveSummaryKey(key(SummaryKey::This, {"missing_"}), FD, S.ast()));
  EXPECT_FALSE(resolveSummaryKey(key(SummaryKey::Param, {"in", "nope"}, 0),
                                 FD, S.ast()));
  EXPECT_FALSE(resolveSummaryKey(
      key(SummaryKey::Global, {}, 0, "net::g_missing"), FD, S.ast()));
  EXPECT_FALSE(
      resolveSummaryKey(key(SummaryKey::Global, {}, 0, "other::g_conn"), FD,
                        S.ast()));
  // `this` alone names no member; a free function has no `this`.
  EXPECT_FALSE(resolveSummaryKey(key(SummaryKey::This, {}), FD, S.ast()));
  Snippet Free("struct Q { int n; }; int f(Q &q) { return q.n; }");
  EXPECT_FALSE(resolveSummaryKey(key(SummaryKey::This, {"n"}),
                                 Free.function("f"), Free.ast()));
}
