#include "ApiModel.h"

#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

using namespace tether;

namespace {
std::string parseError(const std::string &Yaml) {
  std::string Err;
  llvm::raw_string_ostream OS(Err);
  std::optional<ApiModel> M = parseModel(Yaml, "user.yaml", OS);
  OS.flush();
  EXPECT_FALSE(M.has_value()) << Yaml;
  return Err;
}
} // namespace

TEST(Models, EveryBuiltinModelParses) {
  ASSERT_FALSE(builtinModelSources().empty());
  std::string Err;
  llvm::raw_string_ostream OS(Err);
  ModelSet Set;
  EXPECT_TRUE(Set.addBuiltins(OS));
  OS.flush();
  EXPECT_EQ(Err, "");
  EXPECT_EQ(Set.models().size(), builtinModelSources().size());
  for (const ApiModel &M : Set.models()) {
    EXPECT_FALSE(M.Library.empty()) << M.Origin;
    EXPECT_EQ(M.Origin.rfind("<builtin>/", 0), 0u) << M.Origin;
  }
  // The standard library model is among them and is indexed.
  EXPECT_NE(Set.spawnForType("std::thread"), nullptr);
  EXPECT_NE(Set.futureForType("std::future"), nullptr);
}

TEST(Models, UnknownKeyIsAnErrorWithPosition) {
  std::string Err = parseError("library: mine\n"
                               "channels:\n"
                               "  - types: [my::chan]\n"
                               "    close: [close]\n"
                               "    colse_twice: panic\n");
  EXPECT_NE(Err.find("user.yaml:5:5: error: "), std::string::npos) << Err;
  EXPECT_NE(Err.find("colse_twice"), std::string::npos) << Err;
}

TEST(Models, BadEnumValueIsAnError) {
  std::string Err = parseError("library: mine\n"
                               "channels:\n"
                               "  - types: [my::chan]\n"
                               "    close: [close]\n"
                               "    double_close: sometimes\n");
  EXPECT_NE(Err.find("user.yaml:5:19: error: "), std::string::npos) << Err;
}

TEST(Models, MissingTypesIsAnError) {
  std::string Err = parseError("library: mine\n"
                               "channels:\n"
                               "  - close: [close]\n");
  EXPECT_NE(Err.find("user.yaml:3:5: error: "), std::string::npos) << Err;
  EXPECT_NE(Err.find("types"), std::string::npos) << Err;
}

TEST(Models, ValidUserModelParses) {
  std::string Err;
  llvm::raw_string_ostream OS(Err);
  std::optional<ApiModel> M = parseModel("library: mine\n"
                                         "channels:\n"
                                         "  - types: [my::chan]\n"
                                         "    close: [close]\n"
                                         "    double_close: panic\n",
                                         "user.yaml", OS);
  ASSERT_TRUE(M.has_value()) << Err;
  ASSERT_EQ(M->Channels.size(), 1u);
  EXPECT_EQ(M->Channels[0].OnDoubleClose, DoubleClose::Panic);
  EXPECT_EQ(M->Origin, "user.yaml");
}

TEST(Models, EveryCancellationFormIsModelled) {
  std::string Err;
  llvm::raw_string_ostream OS(Err);
  ModelSet Set;
  ASSERT_TRUE(Set.addBuiltins(OS)) << Err;
  // Sources, with their request and token methods.
  const CancelSourceModel *Std = Set.cancelSourceForType("std::stop_source");
  ASSERT_NE(Std, nullptr);
  EXPECT_EQ(Std->Request, std::vector<std::string>{"request_stop"});
  EXPECT_EQ(Std->GetToken, std::vector<std::string>{"get_token"});
  EXPECT_FALSE(Std->RequestsOnDestruction);
  const CancelSourceModel *JThread = Set.cancelSourceForType("std::jthread");
  ASSERT_NE(JThread, nullptr);
  EXPECT_TRUE(JThread->RequestsOnDestruction);
  const CancelSourceModel *Folly =
      Set.cancelSourceForType("folly::CancellationSource");
  ASSERT_NE(Folly, nullptr);
  EXPECT_EQ(Folly->Request, std::vector<std::string>{"requestCancellation"});
  EXPECT_EQ(Folly->GetToken, std::vector<std::string>{"getToken"});
  EXPECT_NE(Set.cancelSourceForType("asio::cancellation_signal"), nullptr);
  EXPECT_NE(Set.cancelSourceForType("boost::asio::cancellation_signal"),
            nullptr);
  // Tokens.
  EXPECT_NE(Set.cancelTokenForType("std::stop_token"), nullptr);
  const CancelTokenModel *FollyTok =
      Set.cancelTokenForType("folly::CancellationToken");
  ASSERT_NE(FollyTok, nullptr);
  EXPECT_NE(std::find(FollyTok->Query.begin(), FollyTok->Query.end(),
                      "isCancellationRequested"),
            FollyTok->Query.end());
  EXPECT_NE(Set.cancelTokenForType("asio::cancellation_slot"), nullptr);
  // An event loop's run() returns once its work is done.
  const BlockingModel *Run = Set.blockingForMethod("asio::io_context", "run");
  ASSERT_NE(Run, nullptr);
  EXPECT_TRUE(Run->WaitsForWork);
  const BlockingModel *Sleep =
      Set.blockingForFunction("std::this_thread::sleep_for");
  ASSERT_NE(Sleep, nullptr);
  EXPECT_FALSE(Sleep->WaitsForWork);
  // Wait groups: what counts a latch or barrier down.
  const BlockingModel *Latch = Set.arriveForMethod("std::latch", "count_down");
  ASSERT_NE(Latch, nullptr);
  EXPECT_EQ(Latch, Set.blockingForMethod("std::latch", "wait"));
  EXPECT_NE(Set.arriveForMethod("std::barrier", "arrive"), nullptr);
  EXPECT_EQ(Set.arriveForMethod("std::latch", "wait"), nullptr);
  EXPECT_EQ(Set.arriveForMethod("std::condition_variable", "notify_one"),
            nullptr);
  // Callback registrations.
  EXPECT_TRUE(Set.isCancelCallbackType("std::stop_callback"));
  EXPECT_TRUE(Set.isCancelCallbackType("folly::CancellationCallback"));
  EXPECT_FALSE(Set.isCancelCallbackType("std::stop_source"));
}

TEST(Models, UserCancellationModelParses) {
  std::string Err;
  llvm::raw_string_ostream OS(Err);
  std::optional<ApiModel> M =
      parseModel("library: mine\n"
                 "cancellation:\n"
                 "  sources:\n"
                 "    - type: my::Canceller\n"
                 "      request: [cancel]\n"
                 "      get_token: [token]\n"
                 "      requests_on_destruction: true\n"
                 "  tokens:\n"
                 "    - type: my::Token\n"
                 "      query: [cancelled]\n"
                 "  callbacks: [my::OnCancel]\n",
                 "user.yaml", OS);
  ASSERT_TRUE(M.has_value()) << Err;
  ASSERT_EQ(M->Cancellation.Sources.size(), 1u);
  EXPECT_TRUE(M->Cancellation.Sources[0].RequestsOnDestruction);
  EXPECT_EQ(M->Cancellation.Callbacks, std::vector<std::string>{"my::OnCancel"});
  ModelSet Set;
  Set.add(std::move(*M));
  EXPECT_NE(Set.cancelSourceForType("my::Canceller"), nullptr);
  EXPECT_NE(Set.cancelTokenForType("my::Token"), nullptr);
  EXPECT_TRUE(Set.isCancelCallbackType("my::OnCancel"));
}

TEST(Models, CancellationSourceNeedsBoolForRequestsOnDestruction) {
  std::string Err = parseError("library: mine\n"
                               "cancellation:\n"
                               "  sources:\n"
                               "    - type: my::Canceller\n"
                               "      requests_on_destruction: maybe\n");
  EXPECT_NE(Err.find("user.yaml:5:"), std::string::npos) << Err;
}

// How a receive reports "closed": one entry per form, read back per method.
TEST(Models, ReceiveClosedFormsParse) {
  std::string Err;
  llvm::raw_string_ostream OS(Err);
  std::optional<ApiModel> M = parseModel(
      "library: acme\n"
      "channels:\n"
      "  - types: [acme::Queue]\n"
      "    send: [push]\n"
      "    receive: [pop, pull, read, wait_pop]\n"
      "    close: [close]\n"
      "    receive_closed:\n"
      "      - {methods: [pop], result: optional}\n"
      "      - {methods: [pull], result: exception, exception: acme::closed}\n"
      "      - {methods: [read], result: bool}\n"
      "      - methods: [wait_pop]\n"
      "        result: status\n"
      "        status: acme::status::closed\n"
      "  - types: [acme::Mailbox]\n"
      "    send: [post]\n"
      "    receive: [take]\n"
      "    closeless: true\n"
      "    receive_closed: [{methods: [take], result: sentinel, sentinel: nullptr}]\n",
      "user.yaml", OS);
  OS.flush();
  ASSERT_TRUE(M.has_value()) << Err;
  const ChannelModel &Q = M->Channels[0];
  ASSERT_NE(Q.closedForm("pop"), nullptr);
  EXPECT_EQ(Q.closedForm("pop")->Form, ClosedForm::Optional);
  ASSERT_NE(Q.closedForm("pull"), nullptr);
  EXPECT_EQ(Q.closedForm("pull")->Form, ClosedForm::Exception);
  EXPECT_EQ(Q.closedForm("pull")->Exception, "acme::closed");
  EXPECT_EQ(Q.closedForm("read")->Form, ClosedForm::Bool);
  EXPECT_EQ(Q.closedForm("wait_pop")->Status, "acme::status::closed");
  EXPECT_EQ(Q.closedForm("push"), nullptr);
  EXPECT_FALSE(Q.Closeless);
  const ChannelModel &Box = M->Channels[1];
  EXPECT_TRUE(Box.Closeless);
  EXPECT_EQ(Box.closedForm("take")->Sentinel, "nullptr");
}

TEST(Models, ReceiveClosedIsValidated) {
  const std::string Head = "library: acme\n"
                           "channels:\n"
                           "  - types: [acme::Queue]\n"
                           "    send: [push]\n"
                           "    receive: [pop]\n";
  struct Bad {
    std::string Tail, Message;
  } Cases[] = {
      {"    close: [close]\n"
       "    receive_closed: [{methods: [pull], result: bool}]\n",
       "'receive_closed' names 'pull', which is not in 'receive'"},
      {"    close: [close]\n"
       "    receive_closed: [{methods: [pop], result: status}]\n",
       "'result: status' needs 'status'"},
      {"    close: [close]\n"
       "    receive_closed: [{methods: [pop], result: exception}]\n",
       "'result: exception' needs 'exception'"},
      {"    close: [close]\n"
       "    receive_closed: [{methods: [pop], result: bool, status: a::b}]\n",
       "'status' is only meaningful with 'result: status'"},
      {"    close: [close]\n"
       "    receive_closed: [{methods: [pop], result: maybe}]\n",
       "unknown enumerated scalar"},
      {"    close: [close]\n"
       "    receive_closed: [{methods: [pop], result: bool},\n"
       "                     {methods: [pop], result: optional}]\n",
       "describes 'pop' twice"},
      {"    close: [close]\n"
       "    receive_closed: [{methods: [pop], result: sentinel, sentinel: "
       "nullptr}]\n",
       "'result: sentinel' is for 'closeless' channels"},
      {"    closeless: true\n"
       "    close: [close]\n",
       "a 'closeless' channel has no 'close'"},
      {"    closeless: true\n",
       "a 'closeless' channel ends its receivers with a sentinel"},
  };
  for (const Bad &B : Cases) {
    std::string Err = parseError(Head + B.Tail);
    EXPECT_NE(Err.find("user.yaml:"), std::string::npos) << Err;
    EXPECT_NE(Err.find(B.Message), std::string::npos) << B.Tail << "\n" << Err;
  }
}

TEST(Models, LibraryVocabularyIsModelled) {
  std::string Err;
  llvm::raw_string_ostream OS(Err);
  ModelSet Set;
  ASSERT_TRUE(Set.addBuiltins(OS)) << Err;
  using C = ModelSet::Convention;
  // The containers' method names, globs included.
  for (const char *N : {"push_back", "push", "emplace_hint", "insert",
                        "try_emplace", "insert_or_assign"})
    EXPECT_TRUE(Set.follows(C::Insert, N)) << N;
  for (const char *N : {"reserve", "size", "erase", "pop_back"})
    EXPECT_FALSE(Set.follows(C::Insert, N)) << N;
  EXPECT_TRUE(Set.follows(C::Emplace, "emplace_back"));
  EXPECT_FALSE(Set.follows(C::Emplace, "emplace_hint"));
  EXPECT_TRUE(Set.follows(C::ElementAccess, "back"));
  EXPECT_FALSE(Set.follows(C::ElementAccess, "operator[]"));
  EXPECT_TRUE(Set.follows(C::Observe, "size"));
  EXPECT_TRUE(Set.follows(C::Unwrap, "get"));
  // Lock tags and the guard's "do you hold it?".
  EXPECT_EQ(Set.lockTagForType("std::defer_lock_t"), ModelSet::LockTag::Defer);
  EXPECT_EQ(Set.lockTagForType("std::try_to_lock_t"), ModelSet::LockTag::Try);
  EXPECT_EQ(Set.lockTagForType("std::adopt_lock_t"), ModelSet::LockTag::Adopt);
  EXPECT_EQ(Set.lockTagForType("my::defer_lock_t"), ModelSet::LockTag::None);
  EXPECT_TRUE(Set.isGuardOwnsQuery("owns_lock"));
  EXPECT_TRUE(Set.isGuardOwnsQuery("try_lock_for"));
  EXPECT_FALSE(Set.isGuardOwnsQuery("unlock"));
  // Smart pointers and their factories.
  const SmartPointerModel *Shared = Set.smartPointerForType("std::shared_ptr");
  ASSERT_NE(Shared, nullptr);
  EXPECT_TRUE(Shared->Shared);
  EXPECT_TRUE(Set.smartPointerForType("boost::intrusive_ptr")->Shared);
  EXPECT_FALSE(Set.smartPointerForType("std::unique_ptr")->Shared);
  bool Allocates = true;
  EXPECT_EQ(Set.smartPointerFactory("std::make_shared", &Allocates), Shared);
  EXPECT_FALSE(Allocates);
  EXPECT_EQ(Set.smartPointerFactory("std::allocate_shared", &Allocates),
            Shared);
  EXPECT_TRUE(Allocates);
  EXPECT_EQ(Set.smartPointerFactory("std::make_pair"), nullptr);
  // Utilities.
  EXPECT_TRUE(Set.isReferenceWrapperFunction("std::cref"));
  EXPECT_FALSE(Set.isReferenceWrapperFunction("std::move"));
  EXPECT_TRUE(Set.isForEachFunction("std::for_each"));
  EXPECT_TRUE(Set.isFixedSizeContainer("std::array"));
  EXPECT_FALSE(Set.isFixedSizeContainer("std::vector"));
  EXPECT_TRUE(Set.isStreamBase("std::ios_base"));
  EXPECT_TRUE(Set.isCoreCountFunction("std::thread::hardware_concurrency"));
  EXPECT_FALSE(Set.isCoreCountFunction("std::thread::get_id"));
  // The wait and size conventions: any class's acquire/wait/join, size.
  EXPECT_TRUE(Set.follows(ModelSet::Convention::Wait, "try_acquire_for"));
  EXPECT_TRUE(Set.follows(ModelSet::Convention::Wait, "join"));
  EXPECT_FALSE(Set.follows(ModelSet::Convention::Wait, "detach"));
  EXPECT_TRUE(Set.follows(ModelSet::Convention::Size, "length"));
  EXPECT_FALSE(Set.follows(ModelSet::Convention::Size, "capacity"));
  // Atomics: the types, what their methods and the free functions do.
  using AW = ModelSet::AtomicWrite;
  EXPECT_TRUE(Set.isAtomicType("std::atomic"));
  EXPECT_TRUE(Set.isAtomicType("std::atomic_flag"));
  EXPECT_TRUE(Set.isAtomicType("boost::atomics::atomic"));
  EXPECT_FALSE(Set.isAtomicType("std::mutex"));
  EXPECT_TRUE(Set.isAtomicFlagType("std::atomic_flag"));
  EXPECT_FALSE(Set.isAtomicFlagType("std::atomic"));
  EXPECT_EQ(Set.atomicMethod("store"), AW::Set);
  EXPECT_EQ(Set.atomicMethod("fetch_sub"), AW::Update);
  EXPECT_EQ(Set.atomicMethod("compare_exchange_weak"), AW::Update);
  EXPECT_EQ(Set.atomicMethod("load"), AW::None);
  EXPECT_TRUE(Set.isAtomicRead("load"));
  EXPECT_FALSE(Set.isAtomicRead("store"));
  EXPECT_EQ(Set.atomicFunction("std::atomic_fetch_sub_explicit"), AW::Update);
  EXPECT_EQ(Set.atomicFunction("std::atomic_store"), AW::Set);
  // The flag's clear, matched with the longer prefix first.
  EXPECT_EQ(Set.atomicFunction("std::atomic_flag_clear_explicit"), AW::Set);
  EXPECT_EQ(Set.atomicFunction("std::atomic_load"), AW::None);
  EXPECT_EQ(Set.atomicFunction("my::atomic_store"), AW::None);
  // Handles, futures, interruptible waits, channel statuses.
  EXPECT_EQ(Set.spawnForType("std::thread")->Joinable,
            std::vector<std::string>{"joinable"});
  EXPECT_EQ(Set.futureForType("std::future")->Valid,
            std::vector<std::string>{"valid"});
  const ChannelModel *Fiber =
      Set.channelForType("boost::fibers::buffered_channel");
  ASSERT_NE(Fiber, nullptr);
  EXPECT_EQ(Fiber->Success, std::vector<std::string>{"success"});
}

TEST(Models, UserConventionsAddToTheStandardOnes) {
  std::string Err;
  llvm::raw_string_ostream OS(Err);
  ModelSet Set;
  ASSERT_TRUE(Set.addBuiltins(OS)) << Err;
  std::optional<ApiModel> M = parseModel("library: acme\n"
                                         "conventions:\n"
                                         "  insert: [append, \"enqueue_*\"]\n"
                                         "spawns:\n"
                                         "  - type: acme::Pool\n"
                                         "    methods: [submit]\n"
                                         "  - type: acme::Quiet\n"
                                         "    methods: [run]\n"
                                         "    wait_all: [drain]\n",
                                         "user.yaml", OS);
  ASSERT_TRUE(M.has_value()) << Err;
  Set.add(std::move(*M));
  EXPECT_TRUE(Set.follows(ModelSet::Convention::Insert, "append"));
  EXPECT_TRUE(Set.follows(ModelSet::Convention::Insert, "enqueue_front"));
  EXPECT_TRUE(Set.follows(ModelSet::Convention::Insert, "push_back"));
  // A pool waits for its tasks with wait* unless its model says otherwise.
  const SpawnModel *Pool = Set.spawnForType("acme::Pool");
  ASSERT_NE(Pool, nullptr);
  EXPECT_TRUE(matchesAnyGlob(Pool->WaitAll, "wait_idle"));
  EXPECT_FALSE(matchesAnyGlob(Pool->WaitAll, "drain"));
  const SpawnModel *Quiet = Set.spawnForType("acme::Quiet");
  ASSERT_NE(Quiet, nullptr);
  EXPECT_TRUE(matchesAnyGlob(Quiet->WaitAll, "drain"));
  EXPECT_FALSE(matchesAnyGlob(Quiet->WaitAll, "wait"));
  // Handle types name no pool wait.
  EXPECT_TRUE(Set.spawnForType("std::thread")->WaitAll.empty());
}

TEST(Models, MalformedVocabularyIsAnError) {
  // Not a glob.
  std::string Err = parseError("library: mine\n"
                               "conventions:\n"
                               "  insert: [\"push[\"]\n");
  EXPECT_NE(Err.find("user.yaml:3:3: error: 'push[' is not a valid name "
                     "pattern"),
            std::string::npos)
      << Err;
  // wait_all belongs to pools.
  Err = parseError("library: mine\n"
                   "spawns:\n"
                   "  - type: my::thread\n"
                   "    wait_all: [wait]\n");
  EXPECT_NE(Err.find("user.yaml:3:5: error: 'wait_all' is for pool models"),
            std::string::npos)
      << Err;
  // A thread type started by a method names the method it runs, and is
  // nothing else.
  Err = parseError("library: mine\n"
                   "spawns:\n"
                   "  - type: my::Thread\n"
                   "    start: [start]\n");
  EXPECT_NE(Err.find("user.yaml:3:5: error: 'start' and 'body' go together"),
            std::string::npos)
      << Err;
  Err = parseError("library: mine\n"
                   "spawns:\n"
                   "  - type: my::Thread\n"
                   "    start: [start]\n"
                   "    body: run\n"
                   "    methods: [submit]\n");
  EXPECT_NE(Err.find("user.yaml:3:5: error: a model with 'start' is a thread "
                     "type"),
            std::string::npos)
      << Err;
  // A success status needs a channel that returns one.
  Err = parseError("library: mine\n"
                   "channels:\n"
                   "  - types: [my::chan]\n"
                   "    close: [close]\n"
                   "    send_after_close: throws\n"
                   "    success: [ok]\n");
  EXPECT_NE(Err.find("'success' names status values"), std::string::npos)
      << Err;
  // Timed waits are among the waits.
  Err = parseError("library: mine\n"
                   "cancellation:\n"
                   "  interruptible_waits:\n"
                   "    - type: my::cv\n"
                   "      methods: [wait]\n"
                   "      timed: [wait_for]\n");
  EXPECT_NE(Err.find("'wait_for' is listed in 'timed' but not in 'methods'"),
            std::string::npos)
      << Err;
  // Tags are about guards.
  Err = parseError("library: mine\n"
                   "locks:\n"
                   "  - mutexes: [my::mutex]\n"
                   "    defer_tags: [my::defer_t]\n");
  EXPECT_NE(Err.find("the lock model needs 'guards'"), std::string::npos)
      << Err;
  // A smart pointer model names its types; `shared` is a bool.
  Err = parseError("library: mine\n"
                   "smart_pointers:\n"
                   "  - make: [my::make]\n");
  EXPECT_NE(Err.find("types"), std::string::npos) << Err;
  Err = parseError("library: mine\n"
                   "smart_pointers:\n"
                   "  - types: [my::ptr]\n"
                   "    shared: often\n");
  EXPECT_NE(Err.find("user.yaml:4:13: error: "), std::string::npos) << Err;
  Err = parseError("library: mine\n"
                   "atomics:\n"
                   "  types: [my::atomic]\n"
                   "  update: [\"fetch_[\"]\n");
  EXPECT_NE(Err.find("user.yaml:"), std::string::npos) << Err;
  // Unknown keys in the new sections, too.
  Err = parseError("library: mine\n"
                   "utilities:\n"
                   "  reference_wraps: [my::ref]\n");
  EXPECT_NE(Err.find("user.yaml:3:3: error: "), std::string::npos) << Err;
  // The conventions of functions and the atomics' claims are globs.
  Err = parseError("library: mine\n"
                   "conventions:\n"
                   "  input_reads: [\"read[\"]\n");
  EXPECT_NE(Err.find("'read[' is not a valid name pattern"), std::string::npos)
      << Err;
  Err = parseError("library: mine\n"
                   "atomics:\n"
                   "  claim: [\"cas[\"]\n");
  EXPECT_NE(Err.find("'cas[' is not a valid name pattern"), std::string::npos)
      << Err;
  // `arrive` names methods of the waited-on type.
  Err = parseError("library: mine\n"
                   "blocking:\n"
                   "  - function: my::wait_all\n"
                   "    reason: latch wait\n"
                   "    arrive: [done]\n");
  EXPECT_NE(Err.find("'arrive' names methods: it needs 'type'"),
            std::string::npos)
      << Err;
}

TEST(Models, NeverReturningOperations) {
  std::string Err;
  llvm::raw_string_ostream OS(Err);
  std::optional<ApiModel> M = parseModel("library: glutish\n"
                                         "blocking:\n"
                                         "  - function: glut::main_loop\n"
                                         "    reason: event loop\n"
                                         "    never_returns: true\n"
                                         "  - type: ev::Loop\n"
                                         "    methods: [run]\n"
                                         "    reason: IO wait\n"
                                         "    waits_for_work: true\n",
                                         "user.yaml", OS);
  ASSERT_TRUE(M) << Err;
  ASSERT_EQ(M->Blocking.size(), 2u);
  EXPECT_TRUE(M->Blocking[0].NeverReturns);
  EXPECT_FALSE(M->Blocking[1].NeverReturns) << "the default";
  // An event loop that returns once its work is done returns.
  std::string Both = parseError("library: mine\n"
                                "blocking:\n"
                                "  - type: ev::Loop\n"
                                "    methods: [run]\n"
                                "    reason: IO wait\n"
                                "    waits_for_work: true\n"
                                "    never_returns: true\n");
  EXPECT_NE(Both.find("user.yaml:"), std::string::npos) << Both;
  EXPECT_NE(Both.find("never_returns"), std::string::npos) << Both;
  // No built-in model says it: asio's io_context::run returns on stop()
  // or when it runs out of work.
  ModelSet Builtins;
  ASSERT_TRUE(Builtins.addBuiltins(llvm::errs()));
  for (const ApiModel &A : Builtins.models())
    for (const BlockingModel &B : A.Blocking)
      EXPECT_FALSE(B.NeverReturns) << A.Library << " " << B.Type << B.Function;
}

TEST(Models, TimeoutArgument) {
  std::string Err;
  llvm::raw_string_ostream OS(Err);
  std::optional<ApiModel> M = parseModel("library: qtish\n"
                                         "blocking:\n"
                                         "  - type: qtish::Thread\n"
                                         "    methods: [wait]\n"
                                         "    reason: thread join\n"
                                         "    timeout_arg: 0\n"
                                         "  - type: qtish::Semaphore\n"
                                         "    methods: [acquire]\n"
                                         "    reason: semacquire\n",
                                         "user.yaml", OS);
  ASSERT_TRUE(M) << Err;
  ASSERT_EQ(M->Blocking.size(), 2u);
  EXPECT_EQ(M->Blocking[0].TimeoutArg, 0);
  EXPECT_EQ(M->Blocking[1].TimeoutArg, -1) << "the default: no timeout";
  std::string Negative = parseError("library: mine\n"
                                    "blocking:\n"
                                    "  - type: my::Thread\n"
                                    "    methods: [wait]\n"
                                    "    reason: thread join\n"
                                    "    timeout_arg: -2\n");
  EXPECT_NE(Negative.find("user.yaml:3:"), std::string::npos) << Negative;
  EXPECT_NE(Negative.find("'timeout_arg' is the index of an argument"),
            std::string::npos)
      << Negative;
  std::string Forever = parseError("library: mine\n"
                                   "blocking:\n"
                                   "  - function: my::serve_forever\n"
                                   "    reason: IO wait\n"
                                   "    never_returns: true\n"
                                   "    timeout_arg: 0\n");
  EXPECT_NE(Forever.find("'never_returns' with 'timeout_arg'"),
            std::string::npos)
      << Forever;
}

// The libraries with a built-in model, each by one of the names it gives
// (the declarations' names, not the spellings of using-declarations).
TEST(Models, LibraryModelsAreIndexed) {
  std::string Err;
  llvm::raw_string_ostream OS(Err);
  ModelSet Set;
  ASSERT_TRUE(Set.addBuiltins(OS)) << Err;
  std::set<std::string> Libraries;
  for (const ApiModel &M : Set.models())
    Libraries.insert(M.Library);
  EXPECT_GE(Libraries.size(), 10u);

  // asio's channels in both namespaces, in and out of experimental.
  for (const char *T :
       {"asio::basic_channel", "asio::basic_concurrent_channel",
        "boost::asio::basic_channel", "boost::asio::basic_concurrent_channel",
        "asio::experimental::basic_channel"})
    EXPECT_NE(Set.channelForType(T), nullptr) << T;

  // oneTBB: abort() is the close, pop() reports it with an exception.
  const ChannelModel *Tbb =
      Set.channelForType("tbb::detail::d2::concurrent_bounded_queue");
  ASSERT_NE(Tbb, nullptr);
  EXPECT_EQ(Tbb->Close, std::vector<std::string>{"abort"});
  const ReceiveClosedModel *Pop = Tbb->closedForm("pop");
  ASSERT_NE(Pop, nullptr);
  EXPECT_EQ(Pop->Form, ClosedForm::Exception);
  EXPECT_EQ(Pop->Exception, "tbb::detail::r1::user_abort");
  const SpawnModel *Group = Set.spawnForType("tbb::detail::d1::task_group");
  ASSERT_NE(Group, nullptr);
  EXPECT_EQ(Group->Methods, std::vector<std::string>{"run"});
  EXPECT_TRUE(matchesAnyGlob(Group->WaitAll, "wait"));

  // Queues with no close.
  for (const char *T : {"moodycamel::BlockingConcurrentQueue",
                        "folly::MPMCQueue", "folly::UnboundedQueue"}) {
    const ChannelModel *C = Set.channelForType(T);
    ASSERT_NE(C, nullptr) << T;
    EXPECT_TRUE(C->Closeless) << T;
    EXPECT_TRUE(C->Close.empty()) << T;
    EXPECT_FALSE(C->TimedReceive.empty()) << T;
  }
  EXPECT_NE(Set.blockingForMethod("folly::coro::blocking_wait_fn",
                                  "operator()"),
            nullptr);

  // gRPC: Next() returns false once Shutdown() drained the queue.
  const ChannelModel *Cq = Set.channelForType("grpc::CompletionQueue");
  ASSERT_NE(Cq, nullptr);
  EXPECT_EQ(Cq->Close, std::vector<std::string>{"Shutdown"});
  ASSERT_NE(Cq->closedForm("Next"), nullptr);
  EXPECT_EQ(Cq->closedForm("Next")->Form, ClosedForm::Bool);
  const CancelSourceModel *Ctx = Set.cancelSourceForType("grpc::ClientContext");
  ASSERT_NE(Ctx, nullptr);
  EXPECT_EQ(Ctx->Request, std::vector<std::string>{"TryCancel"});
  EXPECT_NE(Set.blockingForMethod("grpc::Server", "Wait"), nullptr);

  // Qt.
  EXPECT_NE(Set.lockForMutexType("QMutex"), nullptr);
  EXPECT_TRUE(Set.isLockGuardType("QMutexLocker"));
  EXPECT_TRUE(Set.isLockGuardType("QWriteLocker"));
  const BlockingModel *Join = Set.blockingForMethod("QThread", "wait");
  ASSERT_NE(Join, nullptr);
  EXPECT_EQ(Join->Reason, "thread join");
  EXPECT_EQ(Join->TimeoutArg, 0);
  EXPECT_NE(Set.blockingForMethod("QSemaphore", "acquire"), nullptr);
  EXPECT_NE(Set.blockingForFunction("QThread::msleep"), nullptr);
  const CancelSourceModel *Interrupt = Set.cancelSourceForType("QThread");
  ASSERT_NE(Interrupt, nullptr);
  EXPECT_EQ(Interrupt->Query,
            std::vector<std::string>{"isInterruptionRequested"});
  EXPECT_EQ(Interrupt->Request,
            (std::vector<std::string>{"requestInterruption", "quit", "exit"}));
  ASSERT_NE(Set.spawnForType("QThreadPool"), nullptr);
  // A QThread is its own handle: start() runs run(), wait() joins, and
  // destroying it running aborts.
  const SpawnModel *QT = Set.spawnForType("QThread");
  ASSERT_NE(QT, nullptr);
  EXPECT_EQ(QT->Start, std::vector<std::string>{"start"});
  EXPECT_EQ(QT->Body, "run");
  EXPECT_EQ(QT->Join, std::vector<std::string>{"wait"});
  EXPECT_TRUE(QT->Detach.empty());
  EXPECT_EQ(QT->Destruction, OnDestruction::AbortIfRunning);
  EXPECT_TRUE(endsProgram(QT->Destruction));

  // P2300 stop tokens, stdexec's and C++26's.
  for (const char *Ns : {"stdexec", "std"}) {
    std::string N = Ns;
    EXPECT_NE(Set.cancelSourceForType(N + "::inplace_stop_source"), nullptr)
        << N;
    EXPECT_NE(Set.cancelTokenForType(N + "::inplace_stop_token"), nullptr)
        << N;
    EXPECT_TRUE(Set.isCancelCallbackType(N + "::inplace_stop_callback")) << N;
  }
}
