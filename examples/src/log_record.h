// Log records: parsing and a synthetic input generator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace logpipe {

enum class Level { Debug, Info, Warn, Error };
constexpr std::size_t kLevels = 4;

struct LogRecord {
  std::int64_t timestamp = 0; // seconds since the epoch
  Level level = Level::Info;
  std::string host;
  std::string service;
  std::string message;
};

// Parses "<epoch> <host> <service> <LEVEL> <message…>". Returns nullopt for
// malformed lines.
std::optional<LogRecord> parse_line(std::string_view line);

std::string_view level_name(Level level);
inline std::size_t level_index(Level level) {
  return static_cast<std::size_t>(level);
}

// Deterministic synthetic input: `count` lines from a handful of hosts and
// services, about 1 in 100 of them malformed.
std::vector<std::string> generate_lines(std::size_t count, unsigned seed);

} // namespace logpipe
