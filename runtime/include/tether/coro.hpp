// tether runtime shim — C++20 coroutines as tasks (header-only).
//
// One line in a coroutine type's promise makes every coroutine of that type
// a tether task, listed in every dump with the point it is suspended at:
//
//   struct promise_type : tether::coro::promise_base { ... };
//
// The promise begins the task (its parent: the task running on the calling
// thread, e.g. the coroutine that called it) and ends it when the frame is
// destroyed. Every co_await in the coroutine's body goes through the base's
// await_transform, which records the await point (the coroutine's name and
// the co_await's file and line) when the coroutine suspends and marks the task
// running on whichever thread resumes it. An awaiter can name its wait with a
// static member `static constexpr const char *tether_reason = "chan receive";`
// (default: "co_await").
//
// A promise that defines its own await_transform hides the base's (its
// co_awaits are not recorded). The task reads "runnable" until its first co_await, and a frame
// that finished but was never destroyed still counts as a task (a leak).
#ifndef TETHER_CORO_HPP
#define TETHER_CORO_HPP

#include "tether/tether.hpp"

#include <coroutine>
#include <type_traits>
#include <utility>

namespace tether::coro {

namespace detail {
template <typename A> decltype(auto) awaiterOf(A &&a) {
  if constexpr (requires { std::forward<A>(a).operator co_await(); })
    return std::forward<A>(a).operator co_await();
  else if constexpr (requires { operator co_await(std::forward<A>(a)); })
    return operator co_await(std::forward<A>(a));
  else
    return std::forward<A>(a);
}

template <typename W> constexpr const char *reasonOf() {
  if constexpr (requires { W::tether_reason; })
    return W::tether_reason;
  else
    return "co_await";
}
} // namespace detail

// An awaiter that records the await point around the one it wraps.
template <typename Awaiter> class tracked_awaiter {
public:
  tracked_awaiter(Awaiter &&w, tether_task *task, const char *function, const char *file, int line)
      : w_(std::forward<Awaiter>(w)), task_(task), function_(function), file_(file), line_(line) {}

  bool await_ready() { return w_.await_ready(); }
  template <typename Promise> auto await_suspend(std::coroutine_handle<Promise> h) {
    using W = std::remove_cvref_t<Awaiter>;
    // Before the wrapped awaiter hands the coroutine to whoever resumes it
    // (maybe another thread, at once): nothing of this task after that.
    tether_task_suspend(task_, detail::reasonOf<W>(), &w_, 0, function_, file_, line_);
    return w_.await_suspend(h);
  }
  decltype(auto) await_resume() {
    tether_task_resume(task_);
    return w_.await_resume();
  }

private:
  Awaiter w_;
  tether_task *task_;
  const char *function_, *file_;
  int line_;
};

// Base of a promise_type: the coroutine is a task.
class promise_base {
public:
  promise_base() : task_(tether_task_begin(nullptr, nullptr, nullptr, nullptr, 0)) {}
  ~promise_base() {
    if (task_)
      tether_task_end(task_);
  }
  promise_base(const promise_base &) = delete;
  promise_base &operator=(const promise_base &) = delete;

  // The default arguments are evaluated at the co_await: the coroutine's
  // name and the co_await's file and line.
  template <typename A>
  auto await_transform(A &&a, const char *function = __builtin_FUNCTION(),
                       const char *file = __builtin_FILE(), int line = __builtin_LINE()) {
    name(function);
    using W = decltype(detail::awaiterOf(std::forward<A>(a)));
    return tracked_awaiter<W>(detail::awaiterOf(std::forward<A>(a)), task_, function, file, line);
  }

  tether_task *task() const { return task_; }

private:
  void name(const char *function) {
    if (!named_) {
      tether_task_set_name(task_, function);
      named_ = true;
    }
  }
  tether_task *task_;
  bool named_ = false;
};

} // namespace tether::coro
#endif
