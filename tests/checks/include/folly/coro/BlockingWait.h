// Declarations with the shape of folly's <folly/coro/BlockingWait.h>, for
// the check tests: Debian ships no folly. blockingWait is a function object
// that runs an awaitable and blocks the calling thread until it completes.
#pragma once

#include <folly/coro/Task.h>

namespace folly::coro {

struct blocking_wait_fn {
  template <typename T> T operator()(Task<T> &&awaitable) const;
};
inline constexpr blocking_wait_fn blocking_wait{};
static constexpr const blocking_wait_fn &blockingWait = blocking_wait;

} // namespace folly::coro
