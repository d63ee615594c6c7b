// Per-function facts (analysis/Facts.h): blocking, locks a function may
// take, stop requests and flag writes, through callees, mapped from the
// callee's names to the caller's, and across TUs through the link phase.
#include "AnalysisHarness.h"
#include "ApiModel.h"
#include "ChannelFlow.h"
#include "ChannelShapes.h"
#include "Facts.h"
#include "Summaries.h"

#include "clang/AST/DeclCXX.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/JSON.h"

#include <set>

using namespace tether;
using namespace tether::testing;

namespace {

std::vector<std::string> described(const std::vector<ObjectFact> &L) {
  std::vector<std::string> Out;
  for (const ObjectFact &F : L)
    Out.push_back(F.Key ? F.Key->describe() : "<unnamed>");
  std::sort(Out.begin(), Out.end());
  return Out;
}

const char *PoolCode = R"cpp(
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

std::mutex g_log_mu;
std::atomic<long> g_inflight{0};

void finish_request() {
  std::atomic_fetch_sub_explicit(&g_inflight, 1L, std::memory_order_acq_rel);
}

class Pool {
public:
  Pool() { worker_ = std::thread([this] { run(); }); }
  ~Pool() {
    stop();
    cv_.notify_all();
    worker_.join();
  }
  void stop() { done_.store(true); }
  void halt() { stopped_ = true; }
  void retire() { pending_.fetch_sub(1); }
  void tally() {
    ++hits_;
    misses_ = 0;
  }
  void cancel_all(std::stop_source &src) { src.request_stop(); }
  void cancel_mine() { cancel_all(src_); }
  void drain() {
    if (worker_.joinable())
      worker_.join();
  }
  void shutdown() {
    stop();
    worker_.join();
  }
  void log() {
    std::lock_guard<std::mutex> g(g_log_mu);
  }

private:
  void run() {
    while (!done_) {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [this] { return done_.load(); });
      log();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> done_{false};
  bool stopped_ = false;
  std::atomic<int> pending_{0};
  long hits_ = 0;
  long misses_ = 0;
  std::stop_source src_;
  std::thread worker_;
};

struct Account {
  std::mutex m;
  int balance = 0;
};

void deposit(Account &a, int v) {
  std::lock_guard<std::mutex> g(a.m);
  a.balance += v;
}

void transfer(Account &from, Account &to, int v) {
  deposit(to, v);
  std::unique_lock<std::mutex> lk(from.m);
  from.balance -= v;
}

void recurse_a(int n);
void recurse_b(int n) {
  std::this_thread::sleep_for(std::chrono::milliseconds(n));
  recurse_a(n - 1);
}
void recurse_a(int n) {
  if (n > 0)
    recurse_b(n);
}

void only_local() {
  std::mutex m;
  std::lock_guard<std::mutex> g(m);
  bool done = false;
  done = true;
  (void)done;
}
)cpp";

} // namespace

TEST(Facts, LocksThroughCalleesMapToTheCallersObjects) {
  Snippet S(PoolCode);
  FactsCache &F = S.tu().facts();
  // The callee's parameter becomes the caller's argument.
  EXPECT_EQ(described(F.get(S.function("deposit")).Acquires),
            std::vector<std::string>{"a.m"});
  EXPECT_EQ(described(F.get(S.function("transfer")).Acquires),
            (std::vector<std::string>{"from.m", "to.m"}));
  // A member function's lock of a global, through a member call.
  EXPECT_EQ(described(F.get(S.function("run")).Acquires),
            (std::vector<std::string>{"g_log_mu", "this->mu_"}));
  // A function's own locals are nobody else's business.
  EXPECT_TRUE(F.get(S.function("only_local")).Acquires.empty());
  EXPECT_TRUE(F.get(S.function("only_local")).WritesFlag.empty());
  EXPECT_FALSE(F.get(S.function("transfer")).Opaque);
}

TEST(Facts, FlagWritesAndStopRequests) {
  Snippet S(PoolCode);
  FactsCache &F = S.tu().facts();
  EXPECT_EQ(described(F.get(S.function("stop")).WritesFlag),
            std::vector<std::string>{"this->done_"});
  EXPECT_EQ(described(F.get(S.function("halt")).WritesFlag),
            std::vector<std::string>{"this->stopped_"});
  // Through a helper: the destructor writes the flag `stop()` writes.
  const clang::FunctionDecl *Dtor = nullptr;
  for (const clang::FunctionDecl *Fn : S.functions())
    if (llvm::isa<clang::CXXDestructorDecl>(Fn))
      Dtor = Fn;
  ASSERT_TRUE(Dtor);
  EXPECT_EQ(described(F.get(Dtor).WritesFlag),
            std::vector<std::string>{"this->done_"});
  EXPECT_EQ(described(F.get(S.function("cancel_all")).RequestsStop),
            std::vector<std::string>{"src"});
  // The parameter maps to the member passed for it.
  EXPECT_EQ(described(F.get(S.function("cancel_mine")).RequestsStop),
            std::vector<std::string>{"this->src_"});
  // Reading a flag is not writing it.
  EXPECT_TRUE(F.get(S.function("run")).WritesFlag.empty());
  // Atomic read-modify-writes are writes of the counter, the free atomic
  // functions too (through `&x`); plain counters are no flags.
  EXPECT_EQ(described(F.get(S.function("retire")).WritesFlag),
            std::vector<std::string>{"this->pending_"});
  EXPECT_EQ(described(F.get(S.function("finish_request")).WritesFlag),
            std::vector<std::string>{"g_inflight"});
  EXPECT_TRUE(F.get(S.function("tally")).WritesFlag.empty());
}

TEST(Facts, BlocksOnSomeOrEveryPath) {
  Snippet S(PoolCode);
  FactsCache &F = S.tu().facts();
  const FunctionFacts &Drain = F.get(S.function("drain"));
  ASSERT_TRUE(Drain.MayWait);
  EXPECT_EQ(Drain.MayWait->What, "thread join");
  EXPECT_FALSE(Drain.MustWait) << "the join is behind joinable()";
  const FunctionFacts &Shutdown = F.get(S.function("shutdown"));
  ASSERT_TRUE(Shutdown.MustWait);
  EXPECT_EQ(Shutdown.MustWait->What, "thread join");
  // The fact points at the operation itself.
  ASSERT_TRUE(Shutdown.MustWait->At.Op);
  EXPECT_EQ(Shutdown.MustWait->At.In, S.function("shutdown"));
  // A condition-variable wait (in a loop): may, not must.
  const FunctionFacts &Run = F.get(S.function("run"));
  ASSERT_TRUE(Run.MayWait);
  EXPECT_FALSE(Run.MustWait);
  // Sleeps block but wait for nobody; recursion terminates.
  const FunctionFacts &A = F.get(S.function("recurse_a"));
  ASSERT_TRUE(A.MayBlock);
  EXPECT_EQ(A.MayBlock->What, "sleep");
  EXPECT_EQ(A.MayBlock->At.In, S.function("recurse_b"));
  EXPECT_FALSE(A.MayWait);
  EXPECT_FALSE(F.get(S.function("stop")).MayBlock);
}

TEST(Facts, AtCallMapsTheCalleeIntoTheCaller) {
  Snippet S(PoolCode);
  const clang::FunctionDecl *Transfer = S.function("transfer");
  std::vector<const clang::CallExpr *> Calls = S.calls("deposit", Transfer->getBody());
  ASSERT_EQ(Calls.size(), 1u);
  ObjectResolver R(Transfer->getBody());
  std::optional<FunctionFacts> At = S.tu().facts().atCall(Calls[0], R);
  ASSERT_TRUE(At);
  EXPECT_EQ(described(At->Acquires), std::vector<std::string>{"to.m"});
  // A library call has no user callee.
  std::vector<const clang::CallExpr *> Sleeps =
      S.calls("sleep_for", S.function("recurse_b")->getBody());
  ASSERT_EQ(Sleeps.size(), 1u);
  EXPECT_FALSE(S.tu().facts().atCall(
      Sleeps[0], ObjectResolver(S.function("recurse_b")->getBody())));
}

TEST(Facts, UnknownCalleeMakesFactsOpaque) {
  Snippet S(R"cpp(
    #include <mutex>
    void elsewhere(std::mutex &m);
    struct W {
      std::mutex m;
      void run() { elsewhere(m); }
    };
  )cpp");
  const FunctionFacts &F = S.tu().facts().get(S.function("run"));
  EXPECT_TRUE(F.Opaque);
  EXPECT_TRUE(F.Acquires.empty());
  ASSERT_EQ(F.ExternalCalls.size(), 1u);
  ASSERT_EQ(F.ExternalCalls[0].Args.size(), 1u);
  ASSERT_TRUE(F.ExternalCalls[0].Args[0]);
  EXPECT_EQ(F.ExternalCalls[0].Args[0]->describe(), "this->m");
  EXPECT_TRUE(F.ExternalCalls[0].Unconditional);
}

// The same call into another TU, reached through several helpers and made
// several times by each, is one record in the caller's facts and in its
// exported summary: composing callees must not multiply the calls (on a
// real database TU, 18,126 records were 2,088 distinct ones).
TEST(Facts, ACallReachedByManyPathsIsExportedOnce) {
  Snippet S(R"cpp(
    #include <mutex>
    struct Lock { void acquire(); void release(); };
    struct Store {
      Lock lk;
      int n = 0;
      void bump() { lk.acquire(); ++n; lk.release(); }
      void twice() { bump(); bump(); }
      void put(bool b) {
        twice();
        bump();
        if (b)
          twice();
        lk.acquire();
        lk.release();
      }
    };
  )cpp");
  const FunctionFacts &F = S.tu().facts().get(S.function("put"));
  std::vector<std::string> Calls;
  for (const FactCallRec &C : F.ExternalCalls)
    Calls.push_back(C.Callee + (C.Unconditional ? " always" : " sometimes"));
  std::sort(Calls.begin(), Calls.end());
  // acquire and release: made on every path (through twice(), bump() and
  // directly) and on some (under `if (b)`); each shape once.
  EXPECT_EQ(Calls.size(), 4u) << llvm::join(Calls, ", ");
  EXPECT_TRUE(std::adjacent_find(Calls.begin(), Calls.end()) == Calls.end());

  TUSummaries Export;
  S.tu().summaries().exportTo({S.function("put")}, Export);
  ASSERT_EQ(Export.Functions.size(), 1u);
  const ExternalSummary &Put = Export.Functions[0];
  EXPECT_EQ(Put.Facts.Calls.size(), 4u);
  std::set<std::string> Channel;
  for (const ExternalCall &C : Put.Calls)
    Channel.insert(C.Callee);
  EXPECT_EQ(Channel.size(), 2u);
  EXPECT_EQ(Put.Calls.size(), 2u) << "one record per callee and object";
}

// Export from one TU, link, read from another: the helper defined in the
// first TU locks its parameter's member and joins; the second TU's caller
// sees "acquires this->state_.mu" and "waits on every path".
TEST(Facts, CrossTUThroughTheLinkPhase) {
  const char *Shared = R"cpp(
    #include <mutex>
    #include <thread>
    struct State { std::mutex mu; bool stopping = false; };
    void quiesce(State &s, std::thread &t);
    void flip(State &s);
  )cpp";
  Snippet Def(std::string(Shared) + R"cpp(
    void flip(State &s) { s.stopping = true; }
    void quiesce(State &s, std::thread &t) {
      std::lock_guard<std::mutex> g(s.mu);
      flip(s);
      t.join();
    }
  )cpp");
  TUSummaries Export;
  Def.tu().summaries().exportTo({Def.function("quiesce"), Def.function("flip")},
                                Export);
  // Through JSON, as the records travel today.
  std::string Text;
  llvm::raw_string_ostream OS(Text);
  OS << toJSON(Export);
  llvm::Expected<llvm::json::Value> V = llvm::json::parse(Text);
  ASSERT_TRUE(bool(V));
  TUSummaries Read;
  ASSERT_TRUE(fromJSON(*V, Read));
  LinkedSummaries Linked;
  Linked.add(Read);
  Linked.link();

  Snippet Use(std::string(Shared) + R"cpp(
    class Owner {
    public:
      void stop() { quiesce(state_, worker_); }
      void stop_if(bool b) { if (b) quiesce(state_, worker_); }
    private:
      State state_;
      std::thread worker_;
    };
  )cpp");
  // First pass: nothing is known about quiesce.
  EXPECT_TRUE(Use.tu().facts().get(Use.function("stop")).Opaque);

  Snippet Again(std::string(Shared) + R"cpp(
    class Owner {
    public:
      void stop() { quiesce(state_, worker_); }
      void stop_if(bool b) { if (b) quiesce(state_, worker_); }
    private:
      State state_;
      std::thread worker_;
    };
  )cpp");
  Again.tu().Linked = &Linked;
  const FunctionFacts &Stop = Again.tu().facts().get(Again.function("stop"));
  EXPECT_FALSE(Stop.Opaque);
  EXPECT_EQ(described(Stop.Acquires), std::vector<std::string>{"this->state_.mu"});
  EXPECT_EQ(described(Stop.WritesFlag),
            std::vector<std::string>{"this->state_.stopping"});
  ASSERT_TRUE(Stop.MustWait);
  EXPECT_EQ(Stop.MustWait->What, "thread join");
  EXPECT_TRUE(Stop.MustWait->At.external());
  EXPECT_EQ(Stop.MustWait->At.Function, "quiesce");
  EXPECT_GT(Stop.MustWait->At.Where.Line, 0u);
  const FunctionFacts &StopIf = Again.tu().facts().get(Again.function("stop_if"));
  EXPECT_TRUE(StopIf.MayWait);
  EXPECT_FALSE(StopIf.MustWait) << "the call is conditional";
}

TEST(Facts, LinkResolvesCallsAcrossTUsAndCutsRecursion) {
  auto Param = [](int I, std::vector<std::string> Path) {
    SummaryKey K;
    K.Root = SummaryKey::Param;
    K.Index = I;
    K.Path = std::move(Path);
    return K;
  };
  TUSummaries A;
  ExternalSummary Locker;
  Locker.USR = "c:@F@locker";
  ExternalObjectFact L;
  L.Key = Param(0, {"mu"});
  L.Where.Line = 7;
  Locker.Facts.Acquires.push_back(L);
  ExternalFactCall Back; // locker -> outer: a cycle
  Back.Callee = "c:@F@outer";
  Locker.Facts.Calls.push_back(Back);
  A.Functions.push_back(Locker);
  ExternalSummary Outer;
  Outer.USR = "c:@F@outer";
  ExternalFactCall C;
  C.Callee = "c:@F@locker";
  SummaryKey This;
  This.Root = SummaryKey::This;
  This.Path = {"state_"};
  C.Args = {This};
  Outer.Facts.Calls.push_back(C);
  ExternalFactCall Unknown;
  Unknown.Callee = "c:@F@nowhere";
  Outer.Facts.Calls.push_back(Unknown);
  A.Functions.push_back(Outer);
  LinkedSummaries Linked;
  Linked.add(A);
  Linked.link();
  const ExternalFacts *F = Linked.facts("c:@F@outer");
  ASSERT_TRUE(F);
  ASSERT_EQ(F->Acquires.size(), 1u);
  ASSERT_TRUE(F->Acquires[0].Key);
  EXPECT_EQ(F->Acquires[0].Key->Root, SummaryKey::This);
  EXPECT_EQ(F->Acquires[0].Key->Path, (std::vector<std::string>{"state_", "mu"}));
  EXPECT_EQ(F->Acquires[0].Where.Line, 7u);
  EXPECT_TRUE(F->Opaque) << "a callee no TU defines";
  EXPECT_TRUE(Linked.known("c:@F@outer"));
  EXPECT_FALSE(Linked.known("c:@F@nowhere"));
}

namespace {

// The USR a function's facts are exported under.
std::string usrOfFunction(Snippet &S, llvm::StringRef Name) {
  return usrOf(S.function(Name)->getCanonicalDecl());
}

const char *ServeCode = R"cpp(
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <thread>

struct Conn { int fd = -1; };
Conn accept_conn();
bool healthy();
void handle(const Conn &c);
void log_line(const char *m);
[[noreturn]] void die(const char *why);

void serve() {
  for (;;)
    handle(accept_conn());
}
void serve_while() {
  while (true) {
    try {
      handle(accept_conn());
    } catch (...) {
      log_line("dropped"); // back into the loop
    }
  }
}
void serve_until_unhealthy() {
  while (true) {
    if (!healthy())
      break;
    handle(accept_conn());
  }
}
void serve_guarded() {
  try {
    for (;;)
      handle(accept_conn());
  } catch (const std::exception &) {
    log_line("stopped");
  }
}
void serve_or_throw() {
  for (;;) {
    Conn c = accept_conn();
    if (c.fd < 0)
      throw std::runtime_error("accept failed"); // leaves: not a return
    handle(c);
  }
}
void serve_retrying() {
  for (;;) {
    try {
      Conn c = accept_conn();
      if (c.fd < 0)
        throw std::runtime_error("bad accept");
      handle(c);
    } catch (const std::runtime_error &) {
      log_line("retrying"); // another exception type leaves: not a return
    }
  }
}
void fail(const char *why) {
  log_line(why);
  std::abort();
}
void quit_now() { std::quick_exit(3); }
void give_up() { std::terminate(); }
void exit_or_serve(bool once) {
  if (once)
    std::exit(0);
  serve();
}
void maybe_serve(bool b) {
  if (b)
    serve();
}
void serve_after_check(bool b) {
  if (!b)
    return;
  serve();
}
void dies() { die("fatal"); }
void through_lambda() {
  auto loop = [] { for (;;) handle(accept_conn()); };
  loop();
}
void starts_lambda() {
  auto loop = [] { for (;;) handle(accept_conn()); };
  (void)loop;
}
struct Server {
  virtual ~Server() = default;
  virtual void run() { for (;;) handle(accept_conn()); }
  void pump() { for (;;) handle(accept_conn()); }
  void start() { pump(); }
  void start_virtual() { run(); }
};
int countdown(int n) {
  for (;;) {
    if (--n == 0)
      return n;
  }
}
)cpp";

} // namespace

TEST(Facts, NeverReturnsThroughLoopsCallsAndHandlers) {
  Snippet S(ServeCode);
  FactsCache &F = S.tu().facts();
  auto Never = [&](const char *Name) {
    return bool(F.get(S.function(Name)).NeverReturns);
  };
  EXPECT_TRUE(Never("serve"));
  EXPECT_TRUE(Never("serve_while")) << "the handler goes back into the loop";
  EXPECT_TRUE(Never("serve_or_throw")) << "an exception leaving is no return";
  EXPECT_TRUE(Never("serve_retrying")) << "an unmatched exception neither";
  EXPECT_TRUE(Never("fail")) << "std::abort";
  EXPECT_TRUE(Never("quit_now")) << "std::quick_exit";
  EXPECT_TRUE(Never("give_up")) << "std::terminate";
  EXPECT_TRUE(Never("exit_or_serve")) << "both paths end";
  EXPECT_TRUE(Never("dies")) << "a [[noreturn]] declaration";
  EXPECT_TRUE(Never("through_lambda")) << "a lambda called in place";
  EXPECT_TRUE(Never("start")) << "a member that loops forever";
  EXPECT_FALSE(Never("serve_until_unhealthy")) << "break on a condition";
  EXPECT_FALSE(Never("serve_guarded")) << "the handler returns";
  EXPECT_FALSE(Never("maybe_serve"));
  EXPECT_FALSE(Never("serve_after_check"));
  EXPECT_FALSE(Never("starts_lambda")) << "the lambda is not called";
  EXPECT_FALSE(Never("start_virtual")) << "an override may return";
  EXPECT_FALSE(Never("countdown")) << "returns from inside the loop";

  // The fact says why: the loop, or the call that does not return.
  const FunctionFacts &Serve = F.get(S.function("serve"));
  EXPECT_EQ(Serve.NeverReturns->What, "endless loop");
  EXPECT_EQ(Serve.NeverReturns->At.Where.Line, 15u);
  EXPECT_FALSE(Serve.NeverReturns->At.external());
  const FunctionFacts &Start = F.get(S.function("start"));
  EXPECT_EQ(Start.NeverReturns->What, "call of 'Server::pump', which never returns");
  ASSERT_TRUE(Start.NeverReturns->At.Op);

  // The question a path search asks of a call.
  std::vector<const clang::CallExpr *> Serves =
      S.calls("serve", S.function("maybe_serve")->getBody());
  ASSERT_EQ(Serves.size(), 1u);
  EXPECT_FALSE(F.returns(Serves[0]));
  std::vector<const clang::CallExpr *> Logs =
      S.calls("log_line", S.function("fail")->getBody());
  ASSERT_EQ(Logs.size(), 1u);
  EXPECT_TRUE(F.returns(Logs[0]));
}

TEST(Facts, NeverReturnsFromAModelOperation) {
  const char *Code = R"cpp(
    namespace ev {
    struct Loop {
      void run_forever();
      void run();
    };
    } // namespace ev
    void forever(ev::Loop &l) { l.run_forever(); }
    void until_stopped(ev::Loop &l) { l.run(); }
  )cpp";
  std::string Err;
  llvm::raw_string_ostream OS(Err);
  std::optional<ApiModel> M = parseModel("library: ev\n"
                                         "blocking:\n"
                                         "  - type: ev::Loop\n"
                                         "    methods: [run_forever]\n"
                                         "    reason: IO wait\n"
                                         "    never_returns: true\n"
                                         "  - type: ev::Loop\n"
                                         "    methods: [run]\n"
                                         "    reason: IO wait\n",
                                         "ev.yaml", OS);
  ASSERT_TRUE(M) << Err;
  ModelSet Models = builtinModels();
  Models.add(std::move(*M));
  Snippet S(Code, defaultArgs(), Models);
  FactsCache &F = S.tu().facts();
  const FunctionFacts &Forever = F.get(S.function("forever"));
  ASSERT_TRUE(Forever.NeverReturns);
  EXPECT_EQ(Forever.NeverReturns->What,
            "call of 'ev::Loop::run_forever', which never returns");
  EXPECT_FALSE(F.get(S.function("until_stopped")).NeverReturns);
  EXPECT_TRUE(F.get(S.function("until_stopped")).MayBlock);
}

// serve() in one TU never returns; run_app() in a second calls it on
// every path, start() in a third calls run_app(): the link carries the
// fact through both calls. A call under a condition, or after an early
// return, does not.
TEST(Facts, NeverReturnsAcrossTUsThroughTheLink) {
  const char *Shared = R"cpp(
    void serve();
    void run_app(bool ok);
    void run_if(bool ok);
    void run_tail();
    void log_line(const char *);
  )cpp";
  Snippet Server(std::string(Shared) + R"cpp(
    void accept_one();
    void serve() { while (true) accept_one(); }
  )cpp");
  Snippet App(std::string(Shared) + R"cpp(
    void run_app(bool ok) {
      if (!ok)
        log_line("starting anyway");
      serve();
    }
    void run_if(bool ok) {
      if (!ok)
        return;
      serve();
    }
    void run_tail() { return serve(); }
  )cpp");
  TUSummaries Export;
  Server.tu().summaries().exportTo({Server.function("serve")}, Export);
  App.tu().summaries().exportTo(
      {App.function("run_app"), App.function("run_if"), App.function("run_tail")},
      Export);
  // Through JSON, as the records travel.
  std::string Text;
  llvm::raw_string_ostream OS(Text);
  OS << toJSON(Export);
  llvm::Expected<llvm::json::Value> V = llvm::json::parse(Text);
  ASSERT_TRUE(bool(V));
  TUSummaries Read;
  ASSERT_TRUE(fromJSON(*V, Read));
  LinkedSummaries Linked;
  Linked.add(Read);
  Linked.link();
  const ExternalFacts *Serve = Linked.facts(usrOfFunction(Server, "serve"));
  ASSERT_TRUE(Serve && Serve->NeverReturns);
  EXPECT_EQ(Serve->NeverReturns->What, "endless loop");
  const ExternalFacts *RunApp = Linked.facts(usrOfFunction(App, "run_app"));
  ASSERT_TRUE(RunApp && RunApp->NeverReturns);
  EXPECT_EQ(RunApp->NeverReturns->Function, "serve") << "the cause stays serve's";
  const ExternalFacts *RunIf = Linked.facts(usrOfFunction(App, "run_if"));
  EXPECT_TRUE(!RunIf || !RunIf->NeverReturns) << "an early return comes first";
  const ExternalFacts *RunTail = Linked.facts(usrOfFunction(App, "run_tail"));
  EXPECT_TRUE(RunTail && RunTail->NeverReturns) << "the call the return makes";

  Snippet Main(std::string(Shared) + R"cpp(
    void start() { run_app(true); }
    void start_if(bool b) { run_if(b); }
  )cpp");
  Main.tu().Linked = &Linked;
  const FunctionFacts &Start = Main.tu().facts().get(Main.function("start"));
  ASSERT_TRUE(Start.NeverReturns);
  EXPECT_FALSE(Main.tu().facts().get(Main.function("start_if")).NeverReturns);
}
