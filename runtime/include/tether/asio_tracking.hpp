// asio handlers as tether tasks, through asio's custom handler tracking.
//
// One line in the build, for standalone asio and for Boost.Asio:
//
//   -DASIO_CUSTOM_HANDLER_TRACKING='"tether/asio_tracking.hpp"'
//   -DBOOST_ASIO_CUSTOM_HANDLER_TRACKING='"tether/asio_tracking.hpp"'
//
// (and tether_rt linked). Every handler asio tracks is then a task, named
// after the operation that created it ("socket.async_receive",
// "descriptor.async_read_some", "deadline_timer.async_wait",
// "io_context.post"): suspended with that operation as its wait reason while
// the operation is pending (timed for timers), runnable once it completed
// or when it was posted, running on the thread that invokes it, and done
// after. A handler started from inside another handler is created by that
// handler's task. A dump lists the pending handlers as it lists threads.
//
// asio includes this header itself (asio/detail/handler_tracking.hpp), at
// global scope, and expands the macros below inside its own namespaces.
#ifndef TETHER_ASIO_TRACKING_HPP
#define TETHER_ASIO_TRACKING_HPP

#include "tether/tether.h"

#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace tether {
namespace asio_tracking {

// "object_type.op_name" as a string of static storage duration (the task API
// keeps reasons by pointer). asio passes string literals: their addresses
// are the key. The table is never destroyed: handlers can complete during
// static destruction.
inline const char *operation_name(const char *object_type, const char *op_name) {
  static std::mutex *mu = new std::mutex;
  static auto *names = new std::map<std::pair<const void *, const void *>, std::string>;
  std::lock_guard<std::mutex> lock(*mu);
  std::string &name = (*names)[{object_type, op_name}];
  if (name.empty()) {
    name = object_type ? object_type : "asio";
    name += '.';
    name += op_name ? op_name : "operation";
  }
  return name.c_str();
}

// Operations that queue a handler to run (it does not wait for anything).
inline bool queues_handler(const char *op_name) {
  for (const char *q : {"post", "dispatch", "defer", "execute"})
    if (op_name && std::strcmp(op_name, q) == 0)
      return true;
  return false;
}

inline bool is_timer(const char *object_type) {
  return object_type && std::strstr(object_type, "timer") != nullptr;
}

// Base of asio's operation objects: the task of the handler the operation
// holds. A copy is a different operation: it has no task.
class tracked_handler {
public:
  tracked_handler() noexcept = default;
  tracked_handler(const tracked_handler &) noexcept {}
  tracked_handler &operator=(const tracked_handler &) noexcept { return *this; }

  // Set by creation(), taken by the completion.
  mutable tether_task *tether_task_ = nullptr;

protected:
  ~tracked_handler() = default;
};

// An asynchronous operation was started with handler h.
template <typename Context>
inline void creation(Context &, tracked_handler &h, const char *object_type, void *object,
                     std::uintmax_t, const char *op_name) {
  const char *name = operation_name(object_type, op_name);
  // Its parent: the task that started it (a handler, a coroutine), if any.
  // No creation site: the macro expands inside asio, not at the caller.
  tether_task *t = tether_task_begin(name, nullptr, nullptr, nullptr, 0);
  if (!t)
    return;
  if (!queues_handler(op_name))
    tether_task_suspend(t, name, object, is_timer(object_type) ? 1 : 0, nullptr, nullptr, 0);
  h.tether_task_ = t;
}

// The operation completed (or is destroyed unrun): asio declares one of
// these around the handler's invocation.
class completion {
public:
  explicit completion(const tracked_handler &h) noexcept : task_(h.tether_task_) {
    h.tether_task_ = nullptr;
    if (task_) // runnable: about to be invoked
      tether_task_suspend(task_, nullptr, nullptr, 0, nullptr, nullptr, 0);
  }
  ~completion() {
    // Destroyed without being invoked (its context shut down), or the
    // handler threw.
    if (task_)
      tether_task_end(task_);
  }
  completion(const completion &) = delete;
  completion &operator=(const completion &) = delete;

  template <typename... Args> void invocation_begin(const Args &...) noexcept {
    if (task_)
      tether_task_resume(task_);
  }
  void invocation_end() noexcept {
    if (task_)
      tether_task_end(task_);
    task_ = nullptr;
  }

private:
  tether_task *task_;
};

// What the tracking macros tether does not use receive.
template <typename... Args> inline void ignore(const Args &...) noexcept {}

} // namespace asio_tracking
} // namespace tether

// Standalone asio (ASIO_*) and Boost.Asio (BOOST_ASIO_*): the same meanings.
#define ASIO_INHERIT_TRACKED_HANDLER : public ::tether::asio_tracking::tracked_handler
#define ASIO_ALSO_INHERIT_TRACKED_HANDLER , public ::tether::asio_tracking::tracked_handler
#define ASIO_HANDLER_TRACKING_INIT (void)0
#define ASIO_HANDLER_LOCATION(args) (void)0
#define ASIO_HANDLER_CREATION(args) ::tether::asio_tracking::creation args
#define ASIO_HANDLER_COMPLETION(args) ::tether::asio_tracking::completion tracked_completion args
#define ASIO_HANDLER_INVOCATION_BEGIN(args) tracked_completion.invocation_begin args
#define ASIO_HANDLER_INVOCATION_END tracked_completion.invocation_end()
#define ASIO_HANDLER_OPERATION(args) ::tether::asio_tracking::ignore args
#define ASIO_HANDLER_REACTOR_REGISTRATION(args) ::tether::asio_tracking::ignore args
#define ASIO_HANDLER_REACTOR_DEREGISTRATION(args) ::tether::asio_tracking::ignore args
#define ASIO_HANDLER_REACTOR_READ_EVENT 1
#define ASIO_HANDLER_REACTOR_WRITE_EVENT 2
#define ASIO_HANDLER_REACTOR_ERROR_EVENT 4
#define ASIO_HANDLER_REACTOR_EVENTS(args) ::tether::asio_tracking::ignore args
#define ASIO_HANDLER_REACTOR_OPERATION(args) ::tether::asio_tracking::ignore args

#define BOOST_ASIO_INHERIT_TRACKED_HANDLER ASIO_INHERIT_TRACKED_HANDLER
#define BOOST_ASIO_ALSO_INHERIT_TRACKED_HANDLER ASIO_ALSO_INHERIT_TRACKED_HANDLER
#define BOOST_ASIO_HANDLER_TRACKING_INIT ASIO_HANDLER_TRACKING_INIT
#define BOOST_ASIO_HANDLER_LOCATION(args) ASIO_HANDLER_LOCATION(args)
#define BOOST_ASIO_HANDLER_CREATION(args) ASIO_HANDLER_CREATION(args)
#define BOOST_ASIO_HANDLER_COMPLETION(args) ASIO_HANDLER_COMPLETION(args)
#define BOOST_ASIO_HANDLER_INVOCATION_BEGIN(args) ASIO_HANDLER_INVOCATION_BEGIN(args)
#define BOOST_ASIO_HANDLER_INVOCATION_END ASIO_HANDLER_INVOCATION_END
#define BOOST_ASIO_HANDLER_OPERATION(args) ASIO_HANDLER_OPERATION(args)
#define BOOST_ASIO_HANDLER_REACTOR_REGISTRATION(args) ASIO_HANDLER_REACTOR_REGISTRATION(args)
#define BOOST_ASIO_HANDLER_REACTOR_DEREGISTRATION(args) ASIO_HANDLER_REACTOR_DEREGISTRATION(args)
#define BOOST_ASIO_HANDLER_REACTOR_READ_EVENT ASIO_HANDLER_REACTOR_READ_EVENT
#define BOOST_ASIO_HANDLER_REACTOR_WRITE_EVENT ASIO_HANDLER_REACTOR_WRITE_EVENT
#define BOOST_ASIO_HANDLER_REACTOR_ERROR_EVENT ASIO_HANDLER_REACTOR_ERROR_EVENT
#define BOOST_ASIO_HANDLER_REACTOR_EVENTS(args) ASIO_HANDLER_REACTOR_EVENTS(args)
#define BOOST_ASIO_HANDLER_REACTOR_OPERATION(args) ASIO_HANDLER_REACTOR_OPERATION(args)

#endif
