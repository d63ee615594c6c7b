// Declarations with the shape of folly's <folly/MPMCQueue.h>, for the check
// tests: Debian ships no folly. Written for the tests from the public API;
// only what the tests use.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace folly {

// A bounded queue with a fixed capacity and no close: consumers are shut
// down with sentinel values.
template <typename T, template <typename> class Atom = std::atomic,
          bool Dynamic = false>
class MPMCQueue {
public:
  explicit MPMCQueue(std::size_t queueCapacity);
  MPMCQueue() noexcept;
  MPMCQueue(MPMCQueue &&) noexcept;
  ~MPMCQueue();

  std::size_t capacity() const noexcept;
  std::ptrdiff_t size() const noexcept;
  bool isEmpty() const noexcept;
  bool isFull() const noexcept;

  template <typename... Args> void blockingWrite(Args &&...args) noexcept;
  template <typename... Args> bool write(Args &&...args) noexcept;
  template <typename... Args> bool writeIfNotFull(Args &&...args) noexcept;
  template <class Clock, typename... Args>
  bool tryWriteUntil(const std::chrono::time_point<Clock> &when,
                     Args &&...args) noexcept;

  void blockingRead(T &elem) noexcept;
  void blockingReadWithTicket(std::uint64_t &ticket, T &elem) noexcept;
  bool read(T &elem) noexcept;
  bool readIfNotEmpty(T &elem) noexcept;
  template <class Clock, typename... Args>
  bool tryReadUntil(const std::chrono::time_point<Clock> &when,
                    T &elem) noexcept;
};

} // namespace folly
