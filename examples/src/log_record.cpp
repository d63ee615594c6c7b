#include "log_record.h"

#include <array>
#include <charconv>
#include <random>

namespace logpipe {

namespace {

std::string_view next_field(std::string_view &rest) {
  std::size_t start = rest.find_first_not_of(' ');
  if (start == std::string_view::npos) {
    rest = {};
    return {};
  }
  rest.remove_prefix(start);
  std::size_t end = rest.find(' ');
  std::string_view field = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  return field;
}

std::optional<Level> parse_level(std::string_view s) {
  if (s == "DEBUG")
    return Level::Debug;
  if (s == "INFO")
    return Level::Info;
  if (s == "WARN")
    return Level::Warn;
  if (s == "ERROR")
    return Level::Error;
  return std::nullopt;
}

} // namespace

std::optional<LogRecord> parse_line(std::string_view line) {
  std::string_view rest = line;
  std::string_view ts = next_field(rest);
  std::string_view host = next_field(rest);
  std::string_view service = next_field(rest);
  std::string_view level = next_field(rest);
  if (ts.empty() || host.empty() || service.empty() || level.empty())
    return std::nullopt;
  LogRecord rec;
  auto [ptr, ec] = std::from_chars(ts.data(), ts.data() + ts.size(),
                                   rec.timestamp);
  if (ec != std::errc() || ptr != ts.data() + ts.size())
    return std::nullopt;
  auto lvl = parse_level(level);
  if (!lvl)
    return std::nullopt;
  rec.level = *lvl;
  rec.host = std::string(host);
  rec.service = std::string(service);
  std::size_t msg = rest.find_first_not_of(' ');
  rec.message = msg == std::string_view::npos ? std::string()
                                              : std::string(rest.substr(msg));
  return rec;
}

std::string_view level_name(Level level) {
  static constexpr std::array<std::string_view, kLevels> names = {
      "DEBUG", "INFO", "WARN", "ERROR"};
  return names[level_index(level)];
}

std::vector<std::string> generate_lines(std::size_t count, unsigned seed) {
  static constexpr std::array<const char *, 5> hosts = {
      "web-1", "web-2", "db-1", "cache-1", "batch-1"};
  static constexpr std::array<const char *, 4> services = {"api", "auth",
                                                           "storage", "cron"};
  static constexpr std::array<const char *, 6> errors = {
      "upstream timeout after 30s", "disk full on /var",
      "permission denied for user deploy", "connection reset by peer",
      "request timeout", "checksum mismatch"};
  std::mt19937 rng(seed);
  std::vector<std::string> lines;
  lines.reserve(count);
  std::int64_t ts = 1714550400;
  for (std::size_t i = 0; i < count; ++i) {
    ts += rng() % 3;
    if (rng() % 100 == 0) {
      lines.push_back("#### truncated line " + std::to_string(i));
      continue;
    }
    unsigned r = rng() % 100;
    const char *level = r < 30 ? "DEBUG" : r < 80 ? "INFO" : r < 92 ? "WARN"
                                                                    : "ERROR";
    std::string line = std::to_string(ts) + " " + hosts[rng() % hosts.size()] +
                       " " + services[rng() % services.size()] + " " + level +
                       " ";
    if (level[0] == 'E')
      line += errors[rng() % errors.size()];
    else
      line += "request " + std::to_string(i) + " handled";
    lines.push_back(std::move(line));
  }
  return lines;
}

} // namespace logpipe
