// InferModels: which hand-rolled classes are channels, with which send,
// receive and close methods, and how each receive reports "closed" — and
// which classes that only look similar are left alone.
#include "AnalysisHarness.h"
#include "InferModels.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace tether;
using tether::testing::Snippet;

namespace {

const char *Prelude = R"cpp(
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <queue>
#include <stdexcept>
)cpp";

ApiModel infer(const std::string &Code) {
  Snippet S(std::string(Prelude) + Code);
  if (::testing::Test::HasFailure())
    return {};
  return inferModels(S.ast(), tether::testing::builtinModels());
}

const ChannelModel *find(const ApiModel &M, const std::string &Type) {
  for (const ChannelModel &C : M.Channels)
    if (C.Types.front() == Type)
      return &C;
  return nullptr;
}

bool has(const std::vector<std::string> &V, const std::string &S) {
  return std::find(V.begin(), V.end(), S) != V.end();
}

} // namespace

// A template queue with every closed form: the optional result, a bool, a
// status enumerator returned when the flag is set, and a thrown class.
TEST(InferModels, BlockingQueueTemplateAndItsClosedForms) {
  ApiModel M = infer(R"cpp(
namespace app {
struct closed_error : std::runtime_error {
  closed_error() : std::runtime_error("closed") {}
};
enum class op_status { ok, closed };
template <typename T> class Queue {
public:
  void push(T v) {
    std::lock_guard<std::mutex> lk(m_);
    if (closed_) throw closed_error();
    q_.push_back(std::move(v));
    cv_.notify_one();
  }
  std::optional<T> pop() {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [this] { return closed_ || !q_.empty(); });
    if (q_.empty()) return std::nullopt;
    T v = std::move(q_.front());
    q_.pop_front();
    return v;
  }
  bool pop_into(T &out) {
    std::unique_lock<std::mutex> lk(m_);
    while (!closed_ && q_.empty())
      cv_.wait(lk);
    if (closed_ && q_.empty()) return false;
    out = std::move(q_.front());
    q_.pop_front();
    return true;
  }
  op_status wait_pull(T &out) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return closed_ || !q_.empty(); });
    if (closed_ && q_.empty()) return op_status::closed;
    out = std::move(q_.front());
    q_.pop_front();
    return op_status::ok;
  }
  void pull(T &out) {
    auto v = pop();
    if (!v) throw closed_error();
    out = std::move(*v);
  }
  bool pop_for(T &out, int ms) {
    std::unique_lock<std::mutex> lk(m_);
    if (!cv_.wait_for(lk, std::chrono::milliseconds(ms),
                      [&] { return closed_ || !q_.empty(); }))
      return false;
    if (q_.empty()) return false;
    out = std::move(q_.front());
    q_.pop_front();
    return true;
  }
  void close() {
    std::lock_guard<std::mutex> lk(m_);
    closed_ = true;
    cv_.notify_all();
  }
  bool closed() const {
    std::lock_guard<std::mutex> lk(m_);
    return closed_;
  }
private:
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::deque<T> q_;
  bool closed_ = false;
};
} // namespace app
)cpp");
  const ChannelModel *C = find(M, "app::Queue");
  ASSERT_NE(C, nullptr);
  EXPECT_TRUE(C->Inferred);
  EXPECT_EQ(C->Send, std::vector<std::string>{"push"});
  EXPECT_EQ(C->Close, std::vector<std::string>{"close"});
  EXPECT_EQ(C->IsClosed, std::vector<std::string>{"closed"});
  for (const char *R : {"pop", "pop_into", "wait_pull", "pull"})
    EXPECT_TRUE(has(C->Receive, R)) << R;
  EXPECT_EQ(C->TimedReceive, std::vector<std::string>{"pop_for"});
  EXPECT_EQ(C->OnSendAfterClose, SendAfterClose::Throws);
  ASSERT_NE(C->closedForm("pop"), nullptr);
  EXPECT_EQ(C->closedForm("pop")->Form, ClosedForm::Optional);
  ASSERT_NE(C->closedForm("pop_into"), nullptr);
  EXPECT_EQ(C->closedForm("pop_into")->Form, ClosedForm::Bool);
  ASSERT_NE(C->closedForm("wait_pull"), nullptr);
  EXPECT_EQ(C->closedForm("wait_pull")->Form, ClosedForm::Status);
  EXPECT_EQ(C->closedForm("wait_pull")->Status, "app::op_status::closed");
  ASSERT_NE(C->closedForm("pull"), nullptr);
  EXPECT_EQ(C->closedForm("pull")->Form, ClosedForm::Exception);
  EXPECT_EQ(C->closedForm("pull")->Exception, "app::closed_error");
}

// A non-template class with an atomic flag that is cleared on close
// (`running_`), closed by its destructor.
TEST(InferModels, AtomicRunningFlagClosedByDestructor) {
  ApiModel M = infer(R"cpp(
#include <functional>
class Mailbox {
public:
  ~Mailbox() {
    running_.store(false);
    cv_.notify_all();
  }
  void post(std::function<void()> f) {
    std::lock_guard<std::mutex> lk(m_);
    q_.push(std::move(f));
    cv_.notify_one();
  }
  bool take(std::function<void()> &f) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return !running_ || !q_.empty(); });
    if (q_.empty()) return false;
    f = std::move(q_.front());
    q_.pop();
    return true;
  }
  bool running() const { return running_; }
private:
  std::mutex m_;
  std::condition_variable cv_;
  std::queue<std::function<void()>> q_;
  std::atomic<bool> running_{true};
};
)cpp");
  const ChannelModel *C = find(M, "Mailbox");
  ASSERT_NE(C, nullptr);
  EXPECT_TRUE(C->ClosesOnDestruction);
  EXPECT_TRUE(C->Close.empty());
  EXPECT_EQ(C->Receive, std::vector<std::string>{"take"});
  EXPECT_EQ(C->IsOpen, std::vector<std::string>{"running"});
  EXPECT_TRUE(C->IsClosed.empty());
}

// Classes that only look like channels are not inferred: no closed state
// (the receive waits for an element only), a close that does not wake the
// receivers, a flag nobody waits on, a class already modelled.
TEST(InferModels, LookalikesAreNotChannels) {
  ApiModel M = infer(R"cpp(
template <typename T> class NoClosedState {
public:
  void push(T v) {
    std::lock_guard<std::mutex> lk(m_);
    q_.push_back(v);
    cv_.notify_one();
  }
  bool pop(T &out) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return !q_.empty(); });
    out = q_.front();
    q_.pop_front();
    return true;
  }
  void stop() { stopped_ = true; cv_.notify_all(); }
private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<T> q_;
  bool stopped_ = false;
};

template <typename T> class CloseWithoutWakeUp {
public:
  void push(T v) {
    std::lock_guard<std::mutex> lk(m_);
    q_.push_back(v);
    cv_.notify_one();
  }
  bool pop(T &out) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return closed_ || !q_.empty(); });
    if (q_.empty()) return false;
    out = q_.front();
    q_.pop_front();
    return true;
  }
  void close() {
    std::lock_guard<std::mutex> lk(m_);
    closed_ = true; // receivers already waiting are never woken
  }
private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<T> q_;
  bool closed_ = false;
};

// A flag that a second path sets without the notify: not a reliable close.
template <typename T> class HalfClosing {
public:
  void push(T v) {
    std::lock_guard<std::mutex> lk(m_);
    q_.push_back(v);
    cv_.notify_one();
  }
  bool pop(T &out) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return done_ || !q_.empty(); });
    if (q_.empty()) return false;
    out = q_.front();
    q_.pop_front();
    return true;
  }
  void close() { std::lock_guard<std::mutex> lk(m_); done_ = true; cv_.notify_all(); }
  void abandon() { done_ = true; }
private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<T> q_;
  bool done_ = false;
};
)cpp");
  EXPECT_EQ(find(M, "NoClosedState"), nullptr);
  EXPECT_EQ(find(M, "CloseWithoutWakeUp"), nullptr);
  EXPECT_EQ(find(M, "HalfClosing"), nullptr);
  EXPECT_TRUE(M.Channels.empty());
}

// A class some model already describes keeps that model.
TEST(InferModels, ModelledClassesAreSkipped) {
  std::string Code = R"cpp(
namespace acme {
template <typename T> class Chan {
public:
  void send(T v) { std::lock_guard<std::mutex> lk(m_); q_.push_back(v); cv_.notify_one(); }
  bool recv(T &out) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return closed_ || !q_.empty(); });
    if (q_.empty()) return false;
    out = q_.front(); q_.pop_front(); return true;
  }
  void close() { std::lock_guard<std::mutex> lk(m_); closed_ = true; cv_.notify_all(); }
private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<T> q_;
  bool closed_ = false;
};
}
)cpp";
  ModelSet Known = tether::testing::builtinModels();
  std::string Err;
  llvm::raw_string_ostream OS(Err);
  auto User = parseModel("library: acme\nchannels:\n"
                         "  - types: [acme::Chan]\n    send: [send]\n"
                         "    receive: [recv]\n    close: [close]\n",
                         "user.yaml", OS);
  ASSERT_TRUE(User.has_value()) << Err;
  Known.add(std::move(*User));
  Snippet S(std::string(Prelude) + Code);
  ASSERT_FALSE(::testing::Test::HasFailure());
  EXPECT_TRUE(inferModels(S.ast(), Known).Channels.empty());
  EXPECT_NE(find(inferModels(S.ast(), tether::testing::builtinModels()),
                 "acme::Chan"),
            nullptr);
}

namespace {
const CancelSourceModel *findSource(const ApiModel &M, const std::string &Type) {
  for (const CancelSourceModel &S : M.Cancellation.Sources)
    if (S.Type == Type)
      return &S;
  return nullptr;
}
} // namespace

// A stop signal threads sleep on: a flag a request method sets and wakes
// the waiters after, a timed and an untimed wait until it is set, a const
// query. Written both with a plain bool under the mutex and an atomic.
TEST(InferModels, StopSignalsAreStopSources) {
  ApiModel M = infer(R"cpp(
#include <chrono>
namespace svc {
class StopSignal {
public:
  void request_stop() {
    { std::lock_guard<std::mutex> lk(m_); stopped_ = true; }
    cv_.notify_all();
  }
  bool stop_requested() const { return stopped_.load(); }
  // Sleeps for d unless stop is requested first; true when it was.
  template <class Rep, class Period>
  bool wait_for(std::chrono::duration<Rep, Period> d) {
    std::unique_lock<std::mutex> lk(m_);
    return cv_.wait_for(lk, d, [this] { return stopped_.load(); });
  }
  void wait() {
    std::unique_lock<std::mutex> lk(m_);
    while (!stopped_)
      cv_.wait(lk);
  }
private:
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::atomic<bool> stopped_{false};
};

// Stops itself on destruction too; the flag is cleared on request, so no
// query reads "stop requested" for certain.
class Ticker {
public:
  ~Ticker() { { std::lock_guard<std::mutex> lk(m_); running_ = false; } cv_.notify_all(); }
  void shutdown() { std::lock_guard<std::mutex> lk(m_); running_ = false; cv_.notify_all(); }
  bool running() const { return running_; }
  void sleep_until_shutdown() {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [this] { return !running_; });
  }
private:
  std::mutex m_;
  std::condition_variable cv_;
  bool running_ = true;
};
} // namespace svc
)cpp");
  const CancelSourceModel *S = findSource(M, "svc::StopSignal");
  ASSERT_NE(S, nullptr);
  EXPECT_EQ(S->Request, std::vector<std::string>{"request_stop"});
  EXPECT_EQ(S->Query, std::vector<std::string>{"stop_requested"});
  EXPECT_FALSE(S->RequestsOnDestruction);
  EXPECT_TRUE(S->GetToken.empty());
  const CancelSourceModel *T = findSource(M, "svc::Ticker");
  ASSERT_NE(T, nullptr);
  EXPECT_EQ(T->Request, std::vector<std::string>{"shutdown"});
  EXPECT_TRUE(T->RequestsOnDestruction);
  EXPECT_TRUE(T->Query.empty());
  EXPECT_TRUE(M.Channels.empty());
}

// Classes with a stop flag that are not stop signals: a pool whose workers
// wait for the flag or a task (the wait reads the queue too), a request
// that does not wake the waiters, a second path that sets the flag
// silently, a flag nobody waits on.
TEST(InferModels, LookalikesAreNotStopSources) {
  ApiModel M = infer(R"cpp(
#include <functional>
class Pool {
public:
  void submit(std::function<void()> f) {
    { std::lock_guard<std::mutex> lk(m_); tasks_.push_back(std::move(f)); }
    cv_.notify_one();
  }
  void shutdown() { { std::lock_guard<std::mutex> lk(m_); stop_ = true; } cv_.notify_all(); }
  bool next(std::function<void()> &f) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [this] { return stop_ || !tasks_.empty(); });
    if (tasks_.empty()) return false;
    f = std::move(tasks_.front());
    tasks_.pop_front();
    return true;
  }
private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
};

class SilentStop {
public:
  void request_stop() { std::lock_guard<std::mutex> lk(m_); stop_ = true; }
  void wait() { std::unique_lock<std::mutex> lk(m_); cv_.wait(lk, [this] { return stop_; }); }
private:
  std::mutex m_;
  std::condition_variable cv_;
  bool stop_ = false;
};

class HalfStop {
public:
  void request_stop() { { std::lock_guard<std::mutex> lk(m_); stop_ = true; } cv_.notify_all(); }
  void abandon() { stop_ = true; }
  void wait() { std::unique_lock<std::mutex> lk(m_); cv_.wait(lk, [this] { return stop_.load(); }); }
private:
  std::mutex m_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};
};

class Unwaited {
public:
  void request_stop() { stop_ = true; cv_.notify_all(); }
  bool stopped() const { return stop_; }
private:
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};
};
)cpp");
  EXPECT_EQ(findSource(M, "Pool"), nullptr);
  EXPECT_EQ(findSource(M, "SilentStop"), nullptr);
  EXPECT_EQ(findSource(M, "HalfStop"), nullptr);
  EXPECT_EQ(findSource(M, "Unwaited"), nullptr);
  EXPECT_TRUE(M.Cancellation.Sources.empty());
}
