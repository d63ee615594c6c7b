// Declarations with the shape of folly's <folly/coro/Task.h>, for the check
// tests: Debian ships no folly. Written for the tests from the public API;
// only what the tests use (functions returning a Task, never defined here).
#pragma once

namespace folly::coro {

template <typename T = void> class Task {
public:
  Task(Task &&) noexcept;
  ~Task();
};

} // namespace folly::coro
