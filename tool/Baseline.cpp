// Baseline files: fingerprints of accepted findings.
//   {"version": 1, "fingerprints": [{"fingerprint": "...", "check": "...",
//                                    "file": "...", "message": "..."}]}
#include "Output.h"
#include "OutputDetail.h"
#include "Limits.h"
#include "SafeIO.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"

#include <nlohmann/json.hpp>

namespace tether {
using output_detail::jsonString;

namespace {
constexpr int64_t BaselineVersion = 1;

// Reads a baseline as a stream of JSON events, keeping only what it needs:
//   {"version": N, "fingerprints": [{"fingerprint": "...", ...}, ...]}
// Errors are checked in the order a reader expects them: syntax, the root,
// "version", "fingerprints", then the first bad entry.
class BaselineReader : public nlohmann::json::json_sax_t {
public:
  bool RootIsObject = false, HasList = false;
  std::optional<int64_t> Version;
  std::vector<std::string> Out;
  std::string EntryError, SyntaxError;

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
    // syntax error ..." -> ":4:1: malformed baseline: syntax error ..."
    std::string Msg = E.what();
    llvm::SmallVector<llvm::StringRef, 4> M;
    if (llvm::Regex("at line ([0-9]+), column ([0-9]+): (.*)$").match(Msg, &M))
      SyntaxError = ":" + M[1].str() + ":" + M[2].str() +
                    ": malformed baseline: " + M[3].str();
    else
      SyntaxError = ": malformed baseline: " + Msg;
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

bool readBaseline(const std::string &Path,
                  std::vector<std::string> &Fingerprints, std::string &Error) {
  std::string Text, Why;
  if (!readInputFile(Path, MaxBaselineBytes, Text, Why)) {
    Error = Path + ": cannot read baseline: " + Why;
    return false;
  }
  return parseBaseline(Text, Path, Fingerprints, Error);
}

bool parseBaseline(const std::string &Text, const std::string &Path,
                   std::vector<std::string> &Fingerprints, std::string &Error) {
  TextProblem P;
  if (!checkJsonNesting(Text, MaxNestingDepth, P)) {
    Error = Path + ":" + std::to_string(P.Line) + ":" +
            std::to_string(P.Column) + ": malformed baseline: " + P.Message;
    return false;
  }
  // A streaming parse: a baseline can hold hundreds of thousands of
  // entries, and a DOM of them (llvm::json) takes ~8 KB and ~35 us each.
  BaselineReader R;
  bool Parsed = nlohmann::json::sax_parse(Text, &R);
  if (!Parsed) {
    Error = Path + R.SyntaxError;
    return false;
  }
  auto Fail = [&](const std::string &What) {
    Error = Path + ": malformed baseline: " + What;
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

bool writeBaseline(const std::string &Path, const std::vector<Finding> &Findings,
                   std::string &Error) {
  llvm::SmallString<256> Cwd;
  std::string CwdStr;
  if (!llvm::sys::fs::current_path(Cwd))
    CwdStr = std::string(Cwd.str());
  llvm::json::Array Entries;
  for (const Finding &F : Findings) {
    if (F.Fingerprint.empty()) {
      Error = Path + ": cannot write baseline: finding '" + F.Message +
              "' [" + F.CheckId + "] has no fingerprint";
      return false;
    }
    std::string File = F.Where.File, Rel;
    if (output_detail::relativeToRoot(File, CwdStr, Rel))
      File = Rel;
    Entries.push_back(llvm::json::Object{{"fingerprint", jsonString(F.Fingerprint)},
                                         {"check", jsonString(F.CheckId)},
                                         {"file", jsonString(File)},
                                         {"message", jsonString(F.Message)}});
  }
  llvm::json::Value Root = llvm::json::Object{
      {"version", BaselineVersion}, {"fingerprints", std::move(Entries)}};

  // Replaced atomically (a failure leaves the old baseline untouched), or
  // written in place when it is a device or FIFO (SafeIO.h).
  std::string Why;
  if (!writeOutputFile(
          Path,
          [&](std::string &Out) {
            llvm::raw_string_ostream OS(Out);
            OS << llvm::formatv("{0:2}", Root) << '\n';
          },
          Why)) {
    Error = Path + ": cannot write baseline: " + Why;
    return false;
  }
  return true;
}

} // namespace tether
