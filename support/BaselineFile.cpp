#include "BaselineFile.h"

#include "Limits.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <regex>

namespace tether {

namespace {
// Reads a baseline as a stream of JSON events, keeping only what it needs:
//   {"version": N, "fingerprints": [{"fingerprint": "...", ...}, ...]}
// Errors are checked in the order a reader expects them: syntax, the root,
// "version", "fingerprints", then the first bad entry.
class BaselineReader : public nlohmann::json::json_sax_t {
public:
  bool RootIsObject = false, HasList = false;
  std::optional<int64_t> Version;
  std::vector<std::string> Out;
  std::string EntryError;
  BaselineProblem Syntax;

  bool null() override { return value(Kind::Other); }
  bool boolean(bool) override { return value(Kind::Other); }
  bool number_integer(number_integer_t V) override {
    Int = V;
    return value(Kind::Integer);
  }
  bool number_unsigned(number_unsigned_t V) override {
    Int = V > uint64_t(INT64_MAX) ? -1 : int64_t(V);
    return value(Kind::Integer);
  }
  bool number_float(number_float_t, const string_t &) override {
    return value(Kind::Other);
  }
  bool string(string_t &V) override {
    Str = std::move(V);
    return value(Kind::String);
  }
  bool binary(binary_t &) override { return value(Kind::Other); }
  bool start_object(std::size_t) override { return open(Kind::Object); }
  bool start_array(std::size_t) override { return open(Kind::Array); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t &K) override {
    Key = std::move(K);
    return true;
  }
  bool parse_error(std::size_t, const std::string &,
                   const nlohmann::detail::exception &E) override {
    // "[json.exception.parse_error.101] parse error at line 4, column 1:
    // syntax error ..." -> line 4, column 1, "syntax error ..."
    std::string Msg = E.what();
    std::smatch M;
    if (std::regex_search(Msg, M, std::regex(
            "at line ([0-9]+), column ([0-9]+): (.*)$"))) {
      Syntax = {unsigned(std::stoul(M[1].str())),
                unsigned(std::stoul(M[2].str())), M[3].str()};
    } else {
      Syntax = {0, 0, Msg};
    }
    return false;
  }

private:
  enum class Kind { Object, Array, Integer, String, Other };
  // Where the parser is: the root object, the list, an entry, or elsewhere.
  enum class Place { Root, List, Entry, Skipped };
  std::vector<Place> Stack;
  std::string Key, Str;
  int64_t Int = 0;
  size_t Index = 0;
  bool EntryHasFP = false;

  void entryError(const std::string &What) {
    if (EntryError.empty())
      EntryError = "fingerprints[" + std::to_string(Index) + "]: " + What;
  }
  // A value (scalar or the start of a container) at the current place.
  bool value(Kind K) {
    if (Stack.empty())
      return true; // a scalar root: RootIsObject stays false
    switch (Stack.back()) {
    case Place::Root:
      if (Key == "version")
        Version = K == Kind::Integer ? std::optional<int64_t>(Int)
                                     : std::nullopt;
      else if (Key == "fingerprints")
        HasList = K == Kind::Array;
      break;
    case Place::List:
      if (K != Kind::Object)
        entryError("expected an object");
      if (K != Kind::Object && K != Kind::Array)
        ++Index;
      break;
    case Place::Entry:
      if (Key == "fingerprint" && K == Kind::String && !Str.empty()) {
        Out.push_back(std::move(Str));
        EntryHasFP = true;
      }
      break;
    case Place::Skipped:
      break;
    }
    return true;
  }
  bool open(Kind K) {
    value(K);
    if (Stack.empty()) {
      RootIsObject = K == Kind::Object;
      Stack.push_back(RootIsObject ? Place::Root : Place::Skipped);
      return true;
    }
    Place Here = Stack.back();
    if (Here == Place::Root && K == Kind::Array && Key == "fingerprints") {
      Stack.push_back(Place::List);
    } else if (Here == Place::List && K == Kind::Object) {
      EntryHasFP = false;
      Stack.push_back(Place::Entry);
    } else {
      Stack.push_back(Place::Skipped);
    }
    return true;
  }
  bool close() {
    Place Closed = Stack.back();
    Stack.pop_back();
    if (Closed == Place::Entry) {
      if (!EntryHasFP)
        entryError("missing string \"fingerprint\"");
      ++Index;
    } else if (!Stack.empty() && Stack.back() == Place::List) {
      ++Index; // an array inside the list
    }
    return true;
  }
};
} // namespace

bool parseBaselineText(const std::string &Text,
                       std::vector<std::string> &Fingerprints,
                       BaselineProblem &Problem) {
  TextProblem P;
  if (!checkJsonNesting(Text, MaxNestingDepth, P)) {
    Problem = {P.Line, P.Column, P.Message};
    return false;
  }
  BaselineReader R;
  if (!nlohmann::json::sax_parse(Text, &R)) {
    Problem = R.Syntax;
    return false;
  }
  auto Fail = [&](const std::string &What) {
    Problem = {0, 0, What};
    return false;
  };
  if (!R.RootIsObject)
    return Fail("expected a JSON object at the top level");
  if (!R.Version)
    return Fail("missing integer \"version\"");
  if (*R.Version != BaselineVersion)
    return Fail("unsupported version " + std::to_string(*R.Version) +
                " (this tether reads version " +
                std::to_string(BaselineVersion) + ")");
  if (!R.HasList)
    return Fail("missing array \"fingerprints\"");
  if (!R.EntryError.empty())
    return Fail(R.EntryError);
  Fingerprints = std::move(R.Out);
  return true;
}

} // namespace tether
