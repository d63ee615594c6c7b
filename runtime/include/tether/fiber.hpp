// tether runtime shim — Boost.Fiber fibers as tasks (header-only; link
// Boost.Fiber as usual).
//
// Install the wrapped scheduling algorithm on every thread that runs fibers,
// instead of the algorithm itself; fiber code does not change:
//
//   boost::fibers::use_scheduling_algorithm<
//       tether::fibers::tracked<boost::fibers::algo::round_robin>>();
//
// (Constructor arguments are passed on to the wrapped algorithm, e.g.
// tracked<boost::fibers::algo::shared_work>.) Every fiber is then a task:
// begun when it is first scheduled (its parent: the fiber that created it),
// runnable while ready, running on the thread while it runs, suspended with
// its stack when it blocks, ended when its context is destroyed. A fiber
// blocked in a channel's push/pop reads `chan send`/`chan receive` (the model
// table), one sleeping reads `sleep` (timed), others `fiber wait`. The main
// and dispatcher contexts are the thread itself, not tasks.
//
// Blocking costs a stack unwind (microseconds) per switch away from a fiber
// that cannot go on; yields and wake-ups cost a few tens of nanoseconds.
#ifndef TETHER_FIBER_HPP
#define TETHER_FIBER_HPP

#include "tether/tether.h"

#include <boost/fiber/algo/algorithm.hpp>
#include <boost/fiber/context.hpp>
#include <boost/fiber/properties.hpp>

#include <chrono>
#include <utility>

namespace tether::fibers {

// A fiber's task, kept in its properties (destroyed with its context).
class task_props : public boost::fibers::fiber_properties {
public:
  explicit task_props(boost::fibers::context *ctx)
      : fiber_properties(ctx),
        task_(ctx->is_context(boost::fibers::type::pinned_context)
                  ? nullptr
                  : tether_task_begin("fiber", nullptr, nullptr, nullptr, 0)) {}
  ~task_props() override {
    if (task_)
      tether_task_end(task_);
  }
  tether_task *task() const { return task_; }
  bool ready = false; // in the wrapped algorithm's ready queue

private:
  tether_task *task_;
};

template <typename Algo>
class tracked : public boost::fibers::algo::algorithm_with_properties<task_props> {
public:
  template <typename... Args> explicit tracked(Args &&...args) : algo_(std::forward<Args>(args)...) {}

  void awakened(boost::fibers::context *ctx, task_props &props) noexcept override {
    props.ready = true;
    if (props.task())
      tether_task_suspend(props.task(), nullptr, nullptr, 0, nullptr, nullptr, 0); // runnable
    algo_.awakened(ctx);
  }

  boost::fibers::context *pick_next() noexcept override {
    // Runs on the stack of the fiber that switches away: if it is not ready
    // again, it blocks here, and its stack says on what.
    boost::fibers::context *leaving = boost::fibers::context::active();
    if (leaving && !leaving->is_context(boost::fibers::type::pinned_context)) {
      auto *props = static_cast<task_props *>(leaving->get_properties());
      if (props && props->task() && !props->ready && !leaving->terminated_is_linked()) {
        bool sleeping = leaving->sleep_is_linked();
        // Its stack from the call that blocked: without this function and
        // boost::fibers::scheduler::suspend.
        tether_task_suspend_stack(props->task(), sleeping ? "sleep" : "fiber wait", leaving,
                                  sleeping ? 1 : 0, 2);
      }
    }
    boost::fibers::context *next = algo_.pick_next();
    if (next) {
      auto *props = static_cast<task_props *>(next->get_properties());
      if (props) {
        props->ready = false;
        if (props->task())
          tether_task_resume(props->task());
      }
    }
    return next;
  }

  bool has_ready_fibers() const noexcept override { return algo_.has_ready_fibers(); }
  void suspend_until(std::chrono::steady_clock::time_point const &t) noexcept override {
    algo_.suspend_until(t);
  }
  void notify() noexcept override { algo_.notify(); }

  Algo &algorithm() { return algo_; }

private:
  Algo algo_;
};

} // namespace tether::fibers
#endif
