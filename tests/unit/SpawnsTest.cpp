// The Spawns analysis on small functions: which threads and tasks a
// function starts and what becomes of each handle.
#include "AnalysisHarness.h"
#include "ASTHelpers.h"
#include "Spawns.h"

#include <gtest/gtest.h>

using namespace clang;
using namespace tether;
using tether::testing::Snippet;

namespace {

const char *Prelude = R"(
#include <future>
#include <memory>
#include <pthread.h>
#include <thread>
#include <vector>
void work();
void work_on(int);
void keep(std::thread &&);
)";

// The spawns of the function named Name in Code (after the prelude).
struct Fixture {
  explicit Fixture(const std::string &Code) : X(std::string(Prelude) + Code) {}
  const Spawns &of(llvm::StringRef Name) {
    const FunctionDecl *FD = X.function(Name);
    EXPECT_TRUE(FD);
    A = std::make_unique<FunctionAnalyses>(X.tu(), FD);
    return A->spawns();
  }
  Snippet X;
  std::unique_ptr<FunctionAnalyses> A;
};

std::vector<HandleFate> fates(const Spawns &S) {
  std::vector<HandleFate> Out;
  for (const Spawn &Sp : S.all())
    Out.push_back(Sp.Fate);
  return Out;
}

} // namespace

TEST(Spawns, ComputedOncePerFunction) {
  Fixture F("void f() { std::thread(work).detach(); }");
  const Spawns &S = F.of("f");
  EXPECT_EQ(&S, &F.A->spawns());
  ASSERT_EQ(S.all().size(), 1u);
  EXPECT_EQ(S.find(S.all()[0].Site.Expr), &S.all()[0]);
}

TEST(Spawns, FatesRightAway) {
  Fixture F(R"(
void detached() { std::thread(work).detach(); }
void joined() { std::thread(work).join(); }
void destroyed() { std::thread{work}; }
void jdestroyed() { std::jthread{work}; }
void future_dropped() { std::async(std::launch::async, work); }
std::thread returned() { return std::thread(work); }
void no_handle(pthread_t *t) {
  pthread_create(t, nullptr, [](void *) -> void * { return nullptr; }, nullptr);
}
)");
  EXPECT_EQ(fates(F.of("detached")), std::vector{HandleFate::Detached});
  EXPECT_EQ(fates(F.of("joined")), std::vector{HandleFate::Joined});

  const Spawns &D = F.of("destroyed");
  ASSERT_EQ(D.all().size(), 1u);
  EXPECT_EQ(D.all()[0].Fate, HandleFate::Destroyed);
  EXPECT_FALSE(D.all()[0].DestructorJoins); // std::terminate
  const Spawns &JD = F.of("jdestroyed");
  ASSERT_EQ(JD.all().size(), 1u);
  EXPECT_EQ(JD.all()[0].Fate, HandleFate::Destroyed);
  EXPECT_TRUE(JD.all()[0].DestructorJoins);
  const Spawns &FD = F.of("future_dropped");
  ASSERT_EQ(FD.all().size(), 1u);
  EXPECT_EQ(FD.all()[0].Fate, HandleFate::Destroyed);
  EXPECT_TRUE(FD.all()[0].DestructorJoins); // std::future of std::async

  EXPECT_EQ(fates(F.of("returned")), std::vector{HandleFate::Returned});
  EXPECT_EQ(fates(F.of("no_handle")), std::vector{HandleFate::NoHandle});
}

TEST(Spawns, VariablesJoinedDetachedReturnedOrHandedOn) {
  Fixture F(R"(
void joined() {
  std::thread t(work);
  t.join();
}
void detached_later(bool b) {
  std::thread t(work);
  if (b) work();
  t.detach();
}
std::thread returned() {
  std::thread t(work);
  return t;
}
void handed_on() {
  std::thread t(work);
  keep(std::move(t));
}
void assigned() {
  std::thread t;
  t = std::thread(work);
  t.join();
}
)");
  const Spawns &J = F.of("joined");
  ASSERT_EQ(J.all().size(), 1u);
  const Spawn &S = J.all()[0];
  EXPECT_EQ(S.Fate, HandleFate::Stored);
  ASSERT_TRUE(S.Local);
  EXPECT_EQ(S.Local->getName(), "t");
  EXPECT_TRUE(isa_and_nonnull<DeclStmt>(S.Anchor));
  ASSERT_TRUE(S.JoinSite);
  EXPECT_TRUE(S.joined());
  EXPECT_EQ(S.JoinSite, F.X.calls("join", F.X.function("joined")->getBody())[0]);

  const Spawns &D = F.of("detached_later");
  ASSERT_EQ(D.all().size(), 1u);
  EXPECT_EQ(D.all()[0].Fate, HandleFate::Detached);
  EXPECT_EQ(D.all()[0].FateSite,
            F.X.calls("detach", F.X.function("detached_later")->getBody())[0]);
  EXPECT_FALSE(D.all()[0].joined());

  EXPECT_EQ(fates(F.of("returned")), std::vector{HandleFate::Returned});
  EXPECT_EQ(fates(F.of("handed_on")), std::vector{HandleFate::Unknown});

  const Spawns &A = F.of("assigned");
  ASSERT_EQ(A.all().size(), 1u);
  EXPECT_EQ(A.all()[0].Fate, HandleFate::Stored);
  ASSERT_TRUE(A.all()[0].Local);
  EXPECT_EQ(A.all()[0].Local->getName(), "t");
  EXPECT_TRUE(A.all()[0].JoinSite);
}

TEST(Spawns, ContainersAndLaterLoopsOverThem) {
  Fixture F(R"(
void detach_all(int n) {
  std::vector<std::thread> v;
  for (int i = 0; i < n; ++i) {
    std::thread t(work_on, i);
    v.push_back(std::move(t));
  }
  for (auto &t : v)
    t.detach();
}
void join_all(int n) {
  std::vector<std::thread> v;
  for (int i = 0; i < n; ++i)
    v.emplace_back(work_on, i);
  for (auto &t : v)
    t.join();
}
void join_by_index(int n) {
  std::vector<std::thread> v(n);
  for (int i = 0; i < n; ++i)
    v[i] = std::thread(work_on, i);
  for (int i = 0; i < n; ++i)
    v[i].join();
}
void kept(int n) {
  std::vector<std::thread> v;
  v.push_back(std::thread(work));
  v.insert(v.end(), std::thread(work));
  v.back().detach();
}
)");
  const Spawns &D = F.of("detach_all");
  ASSERT_EQ(D.all().size(), 1u);
  const Spawn &S = D.all()[0];
  EXPECT_EQ(S.Fate, HandleFate::Detached);
  ASSERT_TRUE(S.Storage);
  EXPECT_EQ(S.Storage->describe(), "v");
  ASSERT_EQ(S.Loops.size(), 1u);
  EXPECT_TRUE(isa<ForStmt>(S.Loops[0]));
  EXPECT_EQ(S.Local && S.Local->getName() == "t", true); // first held in t
  EXPECT_EQ(S.FateSite,
            F.X.calls("detach", F.X.function("detach_all")->getBody())[0]);

  const Spawns &J = F.of("join_all");
  ASSERT_EQ(J.all().size(), 1u);
  EXPECT_EQ(J.all()[0].Fate, HandleFate::InContainer);
  EXPECT_TRUE(J.all()[0].JoinSite);
  EXPECT_FALSE(J.all()[0].IntoSlot);

  const Spawns &I = F.of("join_by_index");
  ASSERT_EQ(I.all().size(), 1u);
  EXPECT_EQ(I.all()[0].Fate, HandleFate::InContainer);
  EXPECT_TRUE(I.all()[0].IntoSlot);
  EXPECT_TRUE(I.all()[0].JoinSite);

  // push_back and insert follow one rule; back().detach() detaches the
  // elements.
  const Spawns &K = F.of("kept");
  EXPECT_EQ(fates(K),
            (std::vector{HandleFate::Detached, HandleFate::Detached}));
  EXPECT_TRUE(K.all()[0].Loops.empty());
}

TEST(Spawns, ContainerInsertRule) {
  Snippet X(std::string(Prelude) + R"(
#include <deque>
#include <map>
#include <queue>
void f(std::deque<int> &d, std::map<int, int> &m, std::queue<int> &q,
       std::vector<int> &v) {
  d.push_front(1);
  d.emplace_back(2);
  m.try_emplace(1, 2);
  m.insert_or_assign(1, 3);
  q.push(4);
  v.insert(v.end(), 5);
  (void)v.size();
  v.reserve(3);
}
)");
  const FunctionDecl *FD = X.function("f");
  ASSERT_TRUE(FD);
  for (const char *N : {"push_front", "emplace_back", "try_emplace",
                        "insert_or_assign", "push", "insert"})
    for (const CallExpr *C : X.calls(N, FD->getBody()))
      EXPECT_TRUE(isContainerInsert(C, X.models())) << N;
  for (const char *N : {"size", "reserve"})
    for (const CallExpr *C : X.calls(N, FD->getBody()))
      EXPECT_FALSE(isContainerInsert(C, X.models())) << N;
}

TEST(Spawns, MembersAndInitializers) {
  Fixture F(R"(
class Server {
public:
  Server() : worker_(&Server::run, this) {}
  void start() {
    pool_.emplace_back([this] { run(); });
    other_ = std::thread(work);
  }
  void stop() {
    for (auto &t : pool_)
      t.detach();
    other_.join();
  }
private:
  void run() {}
  std::thread worker_;
  std::thread other_;
  std::vector<std::thread> pool_;
};
)");
  const FunctionDecl *Ctor = nullptr;
  for (const FunctionDecl *FD : F.X.functions())
    if (isa<CXXConstructorDecl>(FD))
      Ctor = FD;
  ASSERT_TRUE(Ctor);
  FunctionAnalyses CA(F.X.tu(), Ctor);
  const Spawns &C = CA.spawns();
  ASSERT_EQ(C.all().size(), 1u);
  EXPECT_TRUE(C.all()[0].InInitializer);
  ASSERT_TRUE(C.all()[0].Member);
  EXPECT_EQ(C.all()[0].Member->getName(), "worker_");
  EXPECT_EQ(C.all()[0].Fate, HandleFate::Stored);

  const Spawns &S = F.of("start");
  ASSERT_EQ(S.all().size(), 2u);
  EXPECT_EQ(S.all()[0].Fate, HandleFate::InContainer);
  ASSERT_TRUE(S.all()[0].Member);
  EXPECT_EQ(S.all()[0].Member->getName(), "pool_");
  EXPECT_EQ(S.all()[1].Fate, HandleFate::Stored);
  ASSERT_TRUE(S.all()[1].Member);
  EXPECT_EQ(S.all()[1].Member->getName(), "other_");
  EXPECT_FALSE(S.all()[1].Local);

  // stop() starts nothing but detaches pool_'s elements and joins other_.
  const Spawns &T = F.of("stop");
  EXPECT_TRUE(T.empty());
  ASSERT_EQ(T.handleUses().size(), 2u);
  const HandleUse &Det = T.handleUses()[0];
  EXPECT_EQ(Det.Kind, HandleOpKind::Detach);
  EXPECT_TRUE(Det.Element);
  ASSERT_TRUE(Det.Target);
  EXPECT_EQ(Det.Target->describe(), "this->pool_");
  const HandleUse &Join = T.handleUses()[1];
  EXPECT_EQ(Join.Kind, HandleOpKind::Join);
  EXPECT_FALSE(Join.Element);
  ASSERT_TRUE(Join.Target);
  EXPECT_EQ(Join.Target->describe(), "this->other_");
}

TEST(Spawns, LambdaBodiesAreTheirOwnFunctions) {
  Fixture F(R"(
void outer() {
  auto l = [] { std::thread(work).detach(); };
  std::thread t(l);
  t.join();
  std::thread u([] { std::thread(work).join(); });
  u.join();
}
)");
  const Spawns &O = F.of("outer");
  // Only t and u: the spawns inside the lambdas belong to their call
  // operators.
  ASSERT_EQ(O.all().size(), 2u);
  std::vector<HandleFate> Inner;
  for (const Spawn &S : O.all()) {
    EXPECT_EQ(S.Fate, HandleFate::Stored);
    EXPECT_TRUE(S.JoinSite);
    // The body each thread runs, through a variable or in place.
    const FunctionDecl *Body = calleeBody(S.Site.Callable);
    ASSERT_TRUE(Body);
    FunctionAnalyses A(F.X.tu(), Body);
    for (const Spawn &In : A.spawns().all())
      Inner.push_back(In.Fate);
  }
  EXPECT_EQ(Inner, (std::vector{HandleFate::Detached, HandleFate::Joined}));
}

TEST(Spawns, SharedPtrHeldThreads) {
  Fixture F(R"(
void shared() {
  auto t = std::make_shared<std::thread>(work);
  t->detach();
}
)");
  const Spawns &S = F.of("shared");
  // The construction happens inside make_shared: not a spawn of this body.
  EXPECT_TRUE(S.all().empty());
  ASSERT_EQ(S.handleUses().size(), 1u);
  EXPECT_EQ(S.handleUses()[0].Kind, HandleOpKind::Detach);
  ASSERT_TRUE(S.handleUses()[0].Target);
  EXPECT_EQ(S.handleUses()[0].Target->describe(), "t");
}

TEST(Spawns, PoolSubmits) {
  // A project's own pool, described by a model (as a .tether.yaml would).
  static ModelSet Models = tether::testing::builtinsAnd(R"(library: acme-pool
spawns:
  - type: acme::Pool
    methods: [submit, post]
)");
  Snippet X(R"(
#include <future>
#include <vector>
namespace acme {
struct Pool {
  template <class F> std::future<int> submit(F f) { f(); return {}; }
  template <class F> void post(F f) { f(); }
};
}
void dropped(acme::Pool &pool) {
  pool.post([] {});
  pool.submit([] { return 1; });
}
int awaited(acme::Pool &pool) {
  auto f = pool.submit([] { return 1; });
  return f.get();
}
void kept(acme::Pool &pool, std::vector<std::future<int>> &out) {
  out.push_back(pool.submit([] { return 2; }));
}
)",
            tether::testing::defaultArgs(), Models);
  auto Of = [&](llvm::StringRef Name) {
    auto A = std::make_unique<FunctionAnalyses>(X.tu(), X.function(Name));
    std::vector<std::pair<HandleFate, bool>> Out;
    for (const Spawn &S : A->spawns().all())
      Out.push_back({S.Fate, S.IsPoolTask});
    return Out;
  };
  using P = std::pair<HandleFate, bool>;
  EXPECT_EQ(Of("dropped"), (std::vector{P{HandleFate::Discarded, true},
                                        P{HandleFate::Discarded, true}}));
  // A pool's future does not wait when destroyed; get() joins it.
  FunctionAnalyses A(X.tu(), X.function("awaited"));
  ASSERT_EQ(A.spawns().all().size(), 1u);
  const Spawn &S = A.spawns().all()[0];
  EXPECT_EQ(S.Fate, HandleFate::Stored);
  EXPECT_FALSE(S.DestructorJoins);
  EXPECT_TRUE(S.IsPoolTask);
  EXPECT_TRUE(S.JoinSite);
  EXPECT_EQ(Of("kept"), (std::vector{P{HandleFate::InContainer, true}}));
}

TEST(Spawns, AThreadOwnedThroughASmartPointerIsOneSpawn) {
  Fixture F(R"(
struct Holder {
  void start() { t_.reset(new std::thread(work)); }
  std::shared_ptr<std::thread> t_;
};
void local_shared() {
  std::shared_ptr<std::thread> p(new std::thread(work));
  p->join();
}
void local_reset() {
  std::unique_ptr<std::thread> u;
  u.reset(new std::thread(work_on, 2));
  keep(std::move(*u));
}
void raw_pointer() { std::thread *t = new std::thread(work); t->join(); delete t; }
)");
  // `new std::thread(f)` adopted by the pointer: one spawn, the inner
  // construction (not also the pointer's), stored in the pointer.
  const Spawns &LS = F.of("local_shared");
  ASSERT_EQ(LS.all().size(), 1u);
  const Spawn &P = LS.all()[0];
  EXPECT_TRUE(isa<CXXConstructExpr>(P.Site.Expr));
  EXPECT_EQ(P.Site.Model->Type, "std::thread");
  EXPECT_EQ(P.Fate, HandleFate::Stored);
  ASSERT_TRUE(P.Local);
  EXPECT_EQ(P.Local->getName(), "p");

  const Spawns &LR = F.of("local_reset");
  ASSERT_EQ(LR.all().size(), 1u);
  EXPECT_EQ(LR.all()[0].Fate, HandleFate::Stored);
  EXPECT_EQ(LR.all()[0].Site.Args.size(), 1u); // work_on's argument
  ASSERT_TRUE(LR.all()[0].Local);
  EXPECT_EQ(LR.all()[0].Local->getName(), "u");

  const Spawns &M = F.of("start");
  ASSERT_EQ(M.all().size(), 1u);
  EXPECT_EQ(M.all()[0].Fate, HandleFate::Stored);
  ASSERT_TRUE(M.all()[0].Member);
  EXPECT_EQ(M.all()[0].Member->getName(), "t_");

  // A raw pointer: one spawn, whose owner is not followed.
  const Spawns &R = F.of("raw_pointer");
  ASSERT_EQ(R.all().size(), 1u);
  EXPECT_EQ(R.all()[0].Fate, HandleFate::Unknown);
  EXPECT_FALSE(R.all()[0].Local);
}

TEST(Spawns, DefaultMemberInitializersOfAConstructor) {
  Fixture F(R"(
struct Saver {
  explicit Saver(int period) : period_(period) {}
  Saver(int period, bool) : period_(period), worker_(work) {}
  ~Saver() { worker_.detach(); }
  int period_;
  std::thread worker_{&Saver::loop, this};
  void loop();
};
)");
  std::vector<const CXXConstructorDecl *> Ctors;
  for (const FunctionDecl *FD : F.X.functions())
    if (const auto *C = dyn_cast<CXXConstructorDecl>(FD);
        C && C->getParent()->getName() == "Saver")
      Ctors.push_back(C);
  ASSERT_EQ(Ctors.size(), 2u);
  for (const CXXConstructorDecl *C : Ctors) {
    FunctionAnalyses CA(F.X.tu(), C);
    const Spawns &S = CA.spawns();
    // The first runs the default initializer (`&Saver::loop, this`); the
    // second replaces it with its own (`work`, no arguments).
    ASSERT_EQ(S.all().size(), 1u);
    const Spawn &W = S.all()[0];
    EXPECT_TRUE(W.InInitializer);
    ASSERT_TRUE(W.Member);
    EXPECT_EQ(W.Member->getName(), "worker_");
    EXPECT_EQ(W.Fate, HandleFate::Stored);
    EXPECT_EQ(W.Site.Args.size(), C->getNumParams() == 1 ? 1u : 0u);
  }
}

TEST(Spawns, ThreadObjectsStartedByAMethodAreTheirOwnHandle) {
  // A thread type that is its own handle, as Qt's QThread (the built-in
  // model names QThread; this test declares its own type, described the
  // same way by a user model).
  static ModelSet Models = tether::testing::builtinsAnd(R"(library: acme-threads
spawns:
  - type: acme::Thread
    start: [start]
    body: run
    join: [wait]
    on_destruction: abort_if_running
blocking:
  - type: acme::Thread
    methods: [wait]
    reason: thread join
    timeout_arg: 0
)");
  Snippet X(R"(
namespace acme {
class Thread {
public:
  Thread() = default;
  explicit Thread(void *parent) : parent_(parent) {}
  virtual ~Thread() {}
  void start() {}
  bool wait(unsigned long ms = ~0ul) { return ms != 0; }
protected:
  virtual void run() {}
private:
  void *parent_ = nullptr;
};
}
void index();
struct Indexer : acme::Thread {
  void run() override { index(); }
};
struct Special : Indexer {};
void local() {
  Indexer i;
  i.start();
  i.wait(100);
  i.wait();
}
struct Owner {
  void go() { t_.start(); }
  Special t_;
};
void through_pointer(Indexer *p) { p->start(); }
void plain() {
  acme::Thread t(nullptr);
  t.start();
}
)",
            tether::testing::defaultArgs(), Models);
  // The start is the spawn, the object its handle; its run() is the
  // class's override; wait(100) is a timed wait, wait() the join.
  FunctionAnalyses L(X.tu(), X.function("local"));
  ASSERT_EQ(L.spawns().all().size(), 1u);
  const Spawn &S = L.spawns().all()[0];
  EXPECT_TRUE(isa<CXXMemberCallExpr>(S.Site.Expr));
  EXPECT_EQ(S.Fate, HandleFate::Stored);
  ASSERT_TRUE(S.Local);
  EXPECT_EQ(S.Local->getName(), "i");
  const FunctionDecl *Body = spawnBody(S.Site);
  ASSERT_TRUE(Body);
  EXPECT_EQ(Body->getQualifiedNameAsString(), "Indexer::run");
  ASSERT_TRUE(S.JoinSite);
  EXPECT_EQ(cast<CallExpr>(S.JoinSite)->getNumArgs(), 1u);
  EXPECT_TRUE(isa<CXXDefaultArgExpr>(cast<CallExpr>(S.JoinSite)->getArg(0)));
  // A member: the override of its class's nearest base.
  FunctionAnalyses O(X.tu(), X.function("go"));
  ASSERT_EQ(O.spawns().all().size(), 1u);
  const Spawn &M = O.spawns().all()[0];
  ASSERT_TRUE(M.Member);
  EXPECT_EQ(M.Member->getName(), "t_");
  ASSERT_TRUE(spawnBody(M.Site));
  EXPECT_EQ(spawnBody(M.Site)->getQualifiedNameAsString(), "Indexer::run");
  // Through a pointer: neither the owner nor the dynamic class is known.
  FunctionAnalyses P(X.tu(), X.function("through_pointer"));
  ASSERT_EQ(P.spawns().all().size(), 1u);
  EXPECT_EQ(P.spawns().all()[0].Fate, HandleFate::Unknown);
  EXPECT_EQ(spawnBody(P.spawns().all()[0].Site), nullptr);
  // The thread type's own run() (an event loop) is no body to follow, and
  // constructing the type starts nothing.
  FunctionAnalyses Q(X.tu(), X.function("plain"));
  ASSERT_EQ(Q.spawns().all().size(), 1u);
  EXPECT_TRUE(isa<CXXMemberCallExpr>(Q.spawns().all()[0].Site.Expr));
  EXPECT_EQ(spawnBody(Q.spawns().all()[0].Site), nullptr);
}
