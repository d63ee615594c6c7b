// Declarations with the shape of folly's
// <folly/concurrency/UnboundedQueue.h>, for the check tests: Debian ships no
// folly. Written for the tests from the public API; only what the tests use.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>

namespace folly {

// An unbounded queue with no close. dequeue() waits for an element.
template <typename T, bool SingleProducer, bool SingleConsumer, bool MayBlock,
          std::size_t LgSegmentSize = 8, std::size_t LgAlign = 7,
          template <typename> class Atom = std::atomic>
class UnboundedQueue {
public:
  UnboundedQueue();
  ~UnboundedQueue();

  void enqueue(const T &arg);
  void enqueue(T &&arg);

  void dequeue(T &item) noexcept;
  T dequeue() noexcept;
  bool try_dequeue(T &item) noexcept;
  template <typename Clock, typename Duration>
  bool try_dequeue_until(T &item,
                         const std::chrono::time_point<Clock, Duration>
                             &deadline) noexcept;
  template <typename Rep, typename Period>
  bool try_dequeue_for(T &item,
                       const std::chrono::duration<Rep, Period>
                           &duration) noexcept;

  std::size_t size() const noexcept;
  bool empty() const noexcept;
};

template <typename T, bool MayBlock, std::size_t LgSegmentSize = 8,
          std::size_t LgAlign = 7, template <typename> class Atom = std::atomic>
using USPSCQueue =
    UnboundedQueue<T, true, true, MayBlock, LgSegmentSize, LgAlign, Atom>;
template <typename T, bool MayBlock, std::size_t LgSegmentSize = 8,
          std::size_t LgAlign = 7, template <typename> class Atom = std::atomic>
using UMPSCQueue =
    UnboundedQueue<T, false, true, MayBlock, LgSegmentSize, LgAlign, Atom>;
template <typename T, bool MayBlock, std::size_t LgSegmentSize = 8,
          std::size_t LgAlign = 7, template <typename> class Atom = std::atomic>
using USPMCQueue =
    UnboundedQueue<T, true, false, MayBlock, LgSegmentSize, LgAlign, Atom>;
template <typename T, bool MayBlock, std::size_t LgSegmentSize = 8,
          std::size_t LgAlign = 7, template <typename> class Atom = std::atomic>
using UMPMCQueue =
    UnboundedQueue<T, false, false, MayBlock, LgSegmentSize, LgAlign, Atom>;

} // namespace folly
