// Declarations with the shape of asio 1.39's <asio/channel.hpp> and
// <asio/concurrent_channel.hpp>, which moved basic_channel and
// basic_concurrent_channel out of `experimental`. Debian ships asio 1.22,
// where they are still experimental: written for the tests from the public
// API of the newer release; only what the tests use. The error codes and
// executors are the installed asio's.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/error_code.hpp>
#include <asio/io_context.hpp>

#include <cstddef>

namespace asio {

template <typename... Signatures> struct channel_traits {};

template <typename Executor, typename Traits, typename... Signatures>
class basic_channel {
public:
  using executor_type = Executor;

  basic_channel(const executor_type &ex, std::size_t max_buffer_size = 0);
  template <typename ExecutionContext>
  explicit basic_channel(ExecutionContext &context,
                         std::size_t max_buffer_size = 0);
  basic_channel(basic_channel &&other);
  ~basic_channel();

  executor_type get_executor() noexcept;
  std::size_t capacity() noexcept;
  bool is_open() const noexcept;
  void reset();
  void close();
  void cancel();
  bool ready() const noexcept;

  template <typename... Args> bool try_send(Args &&...args);
  template <typename... Args>
  std::size_t try_send_n(std::size_t count, Args &&...args);
  template <typename Handler> bool try_receive(Handler &&handler);
  template <typename... Args> auto async_send(Args &&...args);
  template <typename CompletionToken>
  auto async_receive(CompletionToken &&token);
};

// The same interface, safe to use from several threads at once.
template <typename Executor, typename Traits, typename... Signatures>
class basic_concurrent_channel {
public:
  using executor_type = Executor;

  basic_concurrent_channel(const executor_type &ex,
                           std::size_t max_buffer_size = 0);
  template <typename ExecutionContext>
  explicit basic_concurrent_channel(ExecutionContext &context,
                                    std::size_t max_buffer_size = 0);
  ~basic_concurrent_channel();

  bool is_open() const noexcept;
  void reset();
  void close();
  void cancel();
  bool ready() const noexcept;

  template <typename... Args> bool try_send(Args &&...args);
  template <typename... Args>
  std::size_t try_send_n(std::size_t count, Args &&...args);
  template <typename Handler> bool try_receive(Handler &&handler);
  template <typename... Args> auto async_send(Args &&...args);
  template <typename CompletionToken>
  auto async_receive(CompletionToken &&token);
};

template <typename... Signatures>
using channel = basic_channel<any_io_executor, channel_traits<>, Signatures...>;
template <typename... Signatures>
using concurrent_channel =
    basic_concurrent_channel<any_io_executor, channel_traits<>, Signatures...>;

} // namespace asio
