// The model matcher's questions that name a library: blocking operations,
// guards and their tags, the containers' conventions, smart pointers and the
// standard utilities. Each answer comes from the models, so a user model
// changes it.
#include "AnalysisHarness.h"
#include "ModelMatch.h"
#include "ObjectKey.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"

using namespace clang;
using namespace tether;
using namespace tether::testing;

namespace {

const char *Prelude = R"(
#include <array>
#include <condition_variable>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#include <boost/fiber/buffered_channel.hpp>
)";

const CXXMemberCallExpr *member(Snippet &S, llvm::StringRef Name,
                                const Stmt *In) {
  for (const CallExpr *C : S.calls(Name, In))
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(C))
      return MC;
  ADD_FAILURE() << "no member call of " << Name.str();
  return nullptr;
}

QualType paramType(const FunctionDecl *FD, unsigned I) {
  return FD->getParamDecl(I)->getType();
}

} // namespace

TEST(ModelMatch, BlockingOperationsAndWhatTheyRelease) {
  Snippet S(std::string(Prelude) + R"(
struct Worker {
  std::mutex mu_;
  std::condition_variable cv_;
  bool ready_ = false;
  void run(std::thread &t, std::future<int> &f,
           boost::fibers::buffered_channel<int> &ch) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return ready_; });
    lk.unlock();
    t.join();
    (void)f.get();
    (void)f.wait_for(std::chrono::milliseconds(1));
    int v = 0;
    ch.pop(v);
    (void)ch.try_pop(v);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
};
)");
  const FunctionDecl *FD = S.function("run");
  ASSERT_TRUE(FD);
  const ModelSet &M = S.models();
  auto Wait = matchBlockingOp(member(S, "wait", FD->getBody()), M);
  ASSERT_TRUE(Wait);
  EXPECT_EQ(Wait->What, "cond wait");
  ASSERT_EQ(Wait->Released.size(), 1u) << "the guard is released while waiting";
  auto Join = matchBlockingOp(member(S, "join", FD->getBody()), M);
  ASSERT_TRUE(Join);
  EXPECT_EQ(Join->What, "thread join");
  auto Get = matchBlockingOp(member(S, "get", FD->getBody()), M);
  ASSERT_TRUE(Get);
  EXPECT_EQ(Get->What, "future wait");
  EXPECT_FALSE(matchBlockingOp(member(S, "wait_for", FD->getBody()), M))
      << "a timed wait returns";
  auto Pop = matchBlockingOp(member(S, "pop", FD->getBody()), M);
  ASSERT_TRUE(Pop);
  EXPECT_EQ(Pop->What, "channel receive");
  EXPECT_FALSE(matchBlockingOp(member(S, "try_pop", FD->getBody()), M));
  auto Sleeps = S.calls("sleep_for", FD->getBody());
  ASSERT_EQ(Sleeps.size(), 1u);
  auto Sleep = matchBlockingOp(Sleeps[0], M);
  ASSERT_TRUE(Sleep);
  EXPECT_EQ(Sleep->What, "sleep");
  EXPECT_FALSE(matchBlockingOp(member(S, "unlock", FD->getBody()), M));
}

TEST(ModelMatch, GuardsTagsAndOwnership) {
  Snippet S(std::string(Prelude) + R"(
struct defer_lock_t {}; // not the standard's tag
void f(std::defer_lock_t, std::try_to_lock_t, std::adopt_lock_t,
       defer_lock_t, std::unique_lock<std::mutex> &lk, std::mutex &mu) {
  (void)lk.owns_lock();
  (void)lk.try_lock();
  lk.unlock();
  mu.lock();
}
)");
  const FunctionDecl *FD = S.function("f");
  ASSERT_TRUE(FD);
  const ModelSet &M = S.models();
  EXPECT_EQ(lockTagOf(paramType(FD, 0), M), ModelSet::LockTag::Defer);
  EXPECT_EQ(lockTagOf(paramType(FD, 1), M), ModelSet::LockTag::Try);
  EXPECT_EQ(lockTagOf(paramType(FD, 2), M), ModelSet::LockTag::Adopt);
  EXPECT_EQ(lockTagOf(paramType(FD, 3), M), ModelSet::LockTag::None);
  EXPECT_TRUE(isGuardType(paramType(FD, 4), M));
  EXPECT_FALSE(isGuardType(paramType(FD, 5), M));
  EXPECT_NE(mutexModelOf(paramType(FD, 5), M), nullptr);
  auto Method = [&](llvm::StringRef N) {
    const CXXMemberCallExpr *C = member(S, N, FD->getBody());
    return C ? C->getMethodDecl() : nullptr;
  };
  EXPECT_TRUE(isGuardOwnsQuery(Method("owns_lock"), M));
  EXPECT_TRUE(isGuardOwnsQuery(Method("try_lock"), M));
  EXPECT_FALSE(isGuardOwnsQuery(Method("unlock"), M));
}

TEST(ModelMatch, ContainerConventionsComeFromTheModels) {
  std::string Code = std::string(Prelude) + R"(
namespace acme {
template <typename T> struct Ring {
  void append(T v);
  void push_back(T v);
  T &back();
  std::size_t size() const;
};
} // namespace acme
void f(std::vector<std::thread> &ts, std::map<int, int> &m,
       acme::Ring<int> &r) {
  ts.emplace_back([] {});
  m.insert_or_assign(1, 2);
  r.append(1);
  r.push_back(2);
  (void)r.back();
  (void)r.size();
  (void)ts.at(0);
  (void)ts[0];
}
)";
  Snippet S(Code);
  const FunctionDecl *FD = S.function("f");
  ASSERT_TRUE(FD);
  const ModelSet &M = S.models();
  for (const char *N : {"emplace_back", "insert_or_assign", "push_back"})
    EXPECT_TRUE(isContainerInsert(member(S, N, FD->getBody()), M)) << N;
  EXPECT_FALSE(isContainerInsert(member(S, "append", FD->getBody()), M));
  EXPECT_FALSE(isContainerInsert(member(S, "size", FD->getBody()), M));
  EXPECT_TRUE(isElementAccess(member(S, "back", FD->getBody())->getMethodDecl(), M));
  EXPECT_TRUE(isElementAccess(member(S, "at", FD->getBody())->getMethodDecl(), M));
  EXPECT_FALSE(isElementAccess(member(S, "size", FD->getBody())->getMethodDecl(), M));
  for (const CallExpr *C : S.calls("operator[]", FD->getBody()))
    EXPECT_TRUE(isElementAccess(cast<CXXMethodDecl>(C->getDirectCallee()), M))
        << "subscripting is the language's";

  // A project that names its own insert method.
  ModelSet Mine = builtinsAnd("library: acme\n"
                              "conventions:\n"
                              "  insert: [append]\n");
  Snippet U(Code, defaultArgs(), Mine);
  const FunctionDecl *UF = U.function("f");
  ASSERT_TRUE(UF);
  EXPECT_TRUE(isContainerInsert(member(U, "append", UF->getBody()), Mine));
  EXPECT_TRUE(isContainerInsert(member(U, "push_back", UF->getBody()), Mine));
}

TEST(ModelMatch, HandlesAndPools) {
  Snippet S(std::string(Prelude) + R"(
namespace acme {
struct Pool {
  template <typename F> void submit(F f);
  void wait_idle();
  bool valid() const;
};
} // namespace acme
void f(std::thread &t, std::future<void> &fu, acme::Pool &p) {
  if (t.joinable()) t.join();
  if (fu.valid()) fu.get();
  if (p.valid()) p.wait_idle();
}
)");
  const FunctionDecl *FD = S.function("f");
  ASSERT_TRUE(FD);
  const ModelSet &M = S.models();
  EXPECT_TRUE(isHandleQuery(member(S, "joinable", FD->getBody()), M));
  auto Valid = S.calls("valid", FD->getBody());
  ASSERT_EQ(Valid.size(), 2u);
  EXPECT_TRUE(isHandleQuery(cast<CXXMemberCallExpr>(Valid[0]), M))
      << "std::future::valid";
  EXPECT_FALSE(isHandleQuery(cast<CXXMemberCallExpr>(Valid[1]), M))
      << "valid() of a class that is no handle";
  SpawnModel Pool;
  Pool.Type = "acme::Pool";
  Pool.Methods = {"submit"};
  Pool.WaitAll = {"wait*"};
  EXPECT_TRUE(isPoolWaitAll(member(S, "wait_idle", FD->getBody()), Pool));
  Pool.WaitAll = {"drain"};
  EXPECT_FALSE(isPoolWaitAll(member(S, "wait_idle", FD->getBody()), Pool));
}

TEST(ModelMatch, SmartPointersAndUtilities) {
  Snippet S(std::string(Prelude) + R"(
#include <algorithm>
namespace mine {
template <typename T> std::shared_ptr<T> make_shared(int);
template <typename T> T &ref(T &);
} // namespace mine
struct Job { int n; };
void f(std::shared_ptr<Job> a, std::weak_ptr<Job> b, std::unique_ptr<Job> c,
       std::array<int, 4> d, std::vector<int> e, std::ofstream &g, Job h) {
  auto p = std::make_shared<Job>();
  auto q = std::allocate_shared<Job>(std::allocator<Job>());
  auto r = mine::make_shared<Job>(1);
  auto s = std::make_unique<Job>();
  auto w = std::ref(h);
  auto x = std::cref(h);
  Job &y = mine::ref(h);
  std::for_each(e.begin(), e.end(), [](int) {});
  (void)p; (void)q; (void)r; (void)s; (void)w; (void)x; (void)y;
}
)");
  const FunctionDecl *FD = S.function("f");
  ASSERT_TRUE(FD);
  const ModelSet &M = S.models();
  EXPECT_TRUE(isSharedOwnerType(paramType(FD, 0), M));
  EXPECT_TRUE(isSharedOwnerType(paramType(FD, 1), M));
  EXPECT_FALSE(isSharedOwnerType(paramType(FD, 2), M));
  EXPECT_FALSE(isSharedOwnerType(paramType(FD, 6), M));
  EXPECT_TRUE(isFixedSizeContainerType(paramType(FD, 3), M));
  EXPECT_FALSE(isFixedSizeContainerType(paramType(FD, 4), M));
  EXPECT_TRUE(isStreamType(paramType(FD, 5), M)) << "derives from ios_base";
  EXPECT_FALSE(isStreamType(paramType(FD, 6), M));

  bool Allocates = true;
  auto Made = S.calls("make_shared", FD->getBody());
  ASSERT_EQ(Made.size(), 2u);
  EXPECT_NE(smartPointerFactoryCall(Made[0], M, &Allocates), nullptr);
  EXPECT_FALSE(Allocates);
  EXPECT_EQ(smartPointerFactoryCall(Made[1], M), nullptr)
      << "a function of the same name elsewhere";
  auto Alloc = S.calls("allocate_shared", FD->getBody());
  ASSERT_EQ(Alloc.size(), 1u);
  EXPECT_NE(smartPointerFactoryCall(Alloc[0], M, &Allocates), nullptr);
  EXPECT_TRUE(Allocates);
  auto Unique = S.calls("make_unique", FD->getBody());
  ASSERT_EQ(Unique.size(), 1u);
  const SmartPointerModel *U = smartPointerFactoryCall(Unique[0], M);
  ASSERT_NE(U, nullptr);
  EXPECT_FALSE(U->Shared);

  auto Refs = S.calls("ref", FD->getBody());
  ASSERT_EQ(Refs.size(), 2u);
  EXPECT_TRUE(isReferenceWrapperCall(Refs[0], M));
  EXPECT_FALSE(isReferenceWrapperCall(Refs[1], M));
  auto CRefs = S.calls("cref", FD->getBody());
  ASSERT_EQ(CRefs.size(), 1u);
  EXPECT_TRUE(isReferenceWrapperCall(CRefs[0], M));
  auto ForEach = S.calls("for_each", FD->getBody());
  ASSERT_EQ(ForEach.size(), 1u);
  EXPECT_TRUE(isForEachCall(ForEach[0], M));
}

TEST(ModelMatch, ChannelStatusesAndInterruptibleWaits) {
  Snippet S(std::string(Prelude) + R"(
#include <stop_token>
enum class my_status { success, closed };
void f(boost::fibers::buffered_channel<int> &ch, std::condition_variable_any &cv,
       std::unique_lock<std::mutex> &lk, std::stop_token st) {
  int v = 0;
  (void)(ch.pop(v) == boost::fibers::channel_op_status::success);
  (void)(ch.pop(v) == boost::fibers::channel_op_status::timeout);
  cv.wait(lk, st, [] { return true; });
  cv.wait_for(lk, st, std::chrono::seconds(1), [] { return true; });
  (void)my_status::success;
}
)");
  const FunctionDecl *FD = S.function("f");
  ASSERT_TRUE(FD);
  const ModelSet &M = S.models();
  const ChannelModel *Chan = channelModelOf(paramType(FD, 0), M);
  ASSERT_NE(Chan, nullptr);
  struct Enums : RecursiveASTVisitor<Enums> {
    std::vector<const EnumConstantDecl *> Out;
    bool VisitDeclRefExpr(DeclRefExpr *E) {
      if (const auto *EC = dyn_cast<EnumConstantDecl>(E->getDecl()))
        Out.push_back(EC);
      return true;
    }
  } E;
  E.TraverseStmt(FD->getBody());
  ASSERT_EQ(E.Out.size(), 3u);
  EXPECT_TRUE(isSuccessStatus(E.Out[0], *Chan));
  EXPECT_FALSE(isSuccessStatus(E.Out[1], *Chan));
  ChannelModel NoStatus = *Chan;
  NoStatus.Success.clear();
  EXPECT_FALSE(isSuccessStatus(E.Out[0], NoStatus))
      << "a status is a success only when the model says so";

  const InterruptibleWaitModel *W =
      interruptibleWaitOf(member(S, "wait", FD->getBody())->getMethodDecl(), M);
  ASSERT_NE(W, nullptr);
  EXPECT_FALSE(llvm::is_contained(W->Timed, "wait"));
  const CXXMemberCallExpr *Timed = member(S, "wait_for", FD->getBody());
  const InterruptibleWaitModel *TW =
      interruptibleWaitOf(Timed->getMethodDecl(), M);
  ASSERT_EQ(TW, W);
  EXPECT_TRUE(llvm::is_contained(W->Timed, "wait_for"));
  EXPECT_EQ(interruptibleWaitOf(member(S, "pop", FD->getBody())->getMethodDecl(), M),
            nullptr);
}

TEST(ModelMatch, LanguageCastsAndReferenceWrappersNeedNoNames) {
  std::string Code = std::string(Prelude) + R"(
#include <utility>
namespace acme {
template <typename T> struct ref_wrapper {
  T *p;
  operator T &() const { return *p; }
};
template <typename T> ref_wrapper<T> ref(T &x) { return {&x}; }
template <typename T> struct holder { T v; };
template <typename T> holder<T> hold(T &x) { return {x}; }
template <typename T> T &&move(T &x) { return static_cast<T &&>(x); }
} // namespace acme
struct Job { int n; };
void f(Job h) {
  Job j = std::forward<Job &>(h);
  Job a = std::move(h);
  const Job &b = std::as_const(h);
  Job c = acme::move(h);
  auto d = std::ref(h);
  auto e = std::cref(h);
  auto g = acme::ref(h);
  auto k = acme::hold(h);
  (void)j; (void)a; (void)b; (void)c; (void)d; (void)e; (void)g; (void)k;
}
)";
  for (bool Builtins : {true, false}) {
    SCOPED_TRACE(Builtins ? "builtins on" : "-fno-builtin");
    std::vector<std::string> Args = defaultArgs();
    if (!Builtins)
      Args.push_back("-fno-builtin");
    Snippet S(Code, Args);
    const FunctionDecl *FD = S.function("f");
    ASSERT_TRUE(FD);
    auto Callee = [&](llvm::StringRef Name, size_t I = 0) -> const FunctionDecl * {
      auto Calls = S.calls(Name, FD->getBody());
      return I < Calls.size() ? Calls[I]->getDirectCallee() : nullptr;
    };
    auto Moves = S.calls("move", FD->getBody());
    ASSERT_EQ(Moves.size(), 2u);
    EXPECT_TRUE(isLanguageCast(Moves[0]->getDirectCallee()));
    EXPECT_FALSE(isLanguageCast(Moves[1]->getDirectCallee()))
        << "a function of the same name elsewhere";
    EXPECT_TRUE(isLanguageCast(Callee("as_const")));
    EXPECT_TRUE(isLanguageCast(Callee("forward")));

    auto Refs = S.calls("ref", FD->getBody());
    ASSERT_EQ(Refs.size(), 2u);
    EXPECT_TRUE(returnsReferenceWrapper(Refs[0]->getDirectCallee()));
    EXPECT_TRUE(returnsReferenceWrapper(Refs[1]->getDirectCallee()))
        << "any function handing back a wrapper that converts to T&";
    EXPECT_TRUE(returnsReferenceWrapper(Callee("cref")));
    EXPECT_FALSE(returnsReferenceWrapper(Callee("hold")))
        << "a copy of the argument, not a reference to it";
    EXPECT_FALSE(returnsReferenceWrapper(Moves[0]->getDirectCallee()));
  }
}

TEST(ModelMatch, ConventionsOfFunctionsAndAtomicsComeFromTheModels) {
  std::string Code = std::string(Prelude) + R"(
#include <algorithm>
#include <atomic>
#include <optional>
#include <string>
#include <iostream>
namespace acme {
struct Conn { int read_frame(); };
template <typename T> std::unique_ptr<T> build(int);
} // namespace acme
struct Job {};
int f(std::vector<int> &v, std::atomic<int> &n, std::atomic<bool> &once,
      std::optional<int> o, acme::Conn &c, std::condition_variable &cv) {
  std::string line;
  std::getline(std::cin, line);
  int k = std::min<int>(v.size(), 8);
  (void)std::make_unique<Job>();
  (void)acme::build<Job>(1);
  cv.notify_all();
  if (once.exchange(true)) return 0;
  if (n.fetch_sub(1) == 1) return 1;
  return c.read_frame() + k + v.end()[-1] + (o ? *o : 0);
}
)";
  Snippet S(Code);
  const FunctionDecl *FD = S.function("f");
  ASSERT_TRUE(FD);
  const ModelSet &M = S.models();
  using C = ModelSet::Convention;
  auto First = [&](llvm::StringRef Name) -> const CallExpr * {
    auto Calls = S.calls(Name, FD->getBody());
    return Calls.empty() ? nullptr : Calls.front();
  };
  EXPECT_TRUE(calleeFollows(First("getline"), C::InputReads, M));
  EXPECT_FALSE(calleeFollows(First("read_frame"), C::InputReads, M));
  EXPECT_TRUE(calleeFollows(First("min"), C::Minimum, M));
  EXPECT_TRUE(calleeFollows(First("end"), C::End, M));
  EXPECT_TRUE(calleeFollows(First("make_unique"), C::Factories, M));
  EXPECT_FALSE(calleeFollows(First("build"), C::Factories, M));
  EXPECT_TRUE(calleeFollows(First("notify_all"), C::Wake, M));
  EXPECT_TRUE(M.isAtomicClaim("exchange"));
  EXPECT_TRUE(M.isAtomicClaim("compare_exchange_strong"));
  EXPECT_FALSE(M.isAtomicClaim("store"));
  EXPECT_TRUE(M.isAtomicStep("fetch_sub"));
  EXPECT_FALSE(M.isAtomicStep("fetch_or"));
  EXPECT_TRUE(isOptionalType(paramType(FD, 3), M));
  EXPECT_FALSE(isOptionalType(paramType(FD, 0), M));

  // A project that says its own names.
  ModelSet Mine = builtinsAnd("library: acme\n"
                              "conventions:\n"
                              "  input_reads: [read_frame]\n"
                              "  factories: [build]\n");
  Snippet U(Code, defaultArgs(), Mine);
  const FunctionDecl *UF = U.function("f");
  ASSERT_TRUE(UF);
  EXPECT_TRUE(calleeFollows(U.calls("read_frame", UF->getBody()).front(),
                            C::InputReads, Mine));
  EXPECT_TRUE(calleeFollows(U.calls("build", UF->getBody()).front(),
                            C::Factories, Mine));
  EXPECT_TRUE(calleeFollows(U.calls("getline", UF->getBody()).front(),
                            C::InputReads, Mine))
      << "a user model adds names, it does not replace the standard's";
}

// Which calls make a handle designate another object: non-const methods of
// a smart pointer or an optional called on the handle itself that take an
// argument or return nothing — not an accessor, a const method, a call
// through `->`, or a method of a plain record.
TEST(ObjectKey, RebindingCallsAreReadOffTheHandleType) {
  Snippet S(std::string(Prelude) + R"(
#include <optional>
struct Conn { void close(); };
void rebinds(std::shared_ptr<Conn> p, std::shared_ptr<Conn> q,
             std::unique_ptr<Conn> u, std::optional<Conn> o, Conn c) {
  p.reset();
  p.swap(q);
  u.reset(new Conn);
  o.emplace();
  o.value().close();
  p->close();
  c.close();
  (void)p.get();
}
)");
  auto Param = [&](llvm::StringRef Name) -> const ValueDecl * {
    for (const FunctionDecl *FD : S.functions())
      if (FD->getName() == "rebinds")
        for (const ParmVarDecl *P : FD->parameters())
          if (P->getName() == Name)
            return P;
    return nullptr;
  };
  // The calls in `rebinds` itself, not those in the library's headers.
  const FunctionDecl *Fn = nullptr;
  for (const FunctionDecl *FD : S.functions())
    if (FD->getName() == "rebinds" && FD->hasBody())
      Fn = FD;
  ASSERT_NE(Fn, nullptr);
  auto Assigned = [&](llvm::StringRef Method, size_t I = 0) {
    std::vector<const CallExpr *> Cs = S.calls(Method, Fn->getBody());
    EXPECT_LT(I, Cs.size()) << Method.str();
    return I < Cs.size() ? assignedDecl(Cs[I]) : nullptr;
  };
  EXPECT_EQ(Assigned("reset", 0), Param("p"));
  EXPECT_EQ(Assigned("swap"), Param("p"));
  EXPECT_EQ(Assigned("reset", 1), Param("u"));
  EXPECT_EQ(Assigned("emplace"), Param("o"));
  EXPECT_EQ(Assigned("value"), nullptr);
  EXPECT_EQ(Assigned("get"), nullptr);
  for (const CallExpr *C : S.calls("close", Fn->getBody()))
    EXPECT_EQ(assignedDecl(C), nullptr);
}
