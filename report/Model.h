// The report's model of its inputs: `tether check` JSON (docs/json-format.md,
// version 1) and runtime dumps (docs/runtime/json-schema.md,
// tether.threads/1). Every string is untrusted; the loader only guarantees
// that it is valid UTF-8.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace tether::report {

struct Location {
  std::string File;
  unsigned Line = 0, Column = 0;
  std::string Message; // notes only
  // Notes only: the thread the step runs in when it is not the primary
  // location's ("thread started at pool.cpp:12"); empty otherwise.
  std::string Thread;
};

struct FixIt {
  std::string File;
  unsigned Line = 0, Column = 0, EndLine = 0, EndColumn = 0;
  std::string Replacement;
};

struct Finding {
  std::string Check, Severity, Message, Function, Fingerprint;
  Location Primary;
  std::vector<Location> Notes;
  std::vector<FixIt> Fixes;
  std::string Input; // the file it was read from
  int Baseline = -1; // -1 no baseline given, 0 new, 1 known
};

struct CheckDoc {
  std::string Id, Summary, Severity;
};

struct Frame {
  std::string Function, File, Module;
  unsigned Line = 0;
  bool Inlined = false;
  bool operator<(const Frame &O) const;
  bool operator==(const Frame &O) const;
};

struct Thread {
  uint64_t Id = 0, Tid = 0, ParentId = 0;
  std::string Name, State, Reason, InterceptedReason, Object;
  uint64_t WaitNs = 0, StartUnixNs = 0;
  bool Timed = false, Detached = false;
  uint64_t HeldBy = 0, JoinTarget = 0; // 0: null
  std::vector<std::pair<std::string, std::string>> Labels;
  std::vector<Frame> Stack, CreatedBy;
};

// A blocking episode from a dump's flight recorder history (the `history`
// member, docs/runtime/json-schema.md).
struct Episode {
  uint64_t Thread = 0, FromUnixNs = 0, ToUnixNs = 0;
  std::string Reason;
  bool Ongoing = false; // still blocked at the dump
};

struct Dump {
  std::string Input; // file it came from
  uint64_t Pid = 0, TimeUnixNs = 0;
  std::string Trigger;
  std::vector<Thread> Threads;
  std::vector<Episode> History; // in the order they began
  std::map<uint64_t, std::string> HistoryNames; // thread names the history recorded
};

struct Model {
  std::vector<Finding> Findings;
  std::map<std::string, CheckDoc> Checks;
  std::vector<std::pair<std::string, std::string>> AnalysisErrors; // file, msg
  std::vector<Dump> Dumps;
  std::vector<std::string> Inputs;
  bool HasBaseline = false;
};

// Every string field is clipped to this many bytes when read (a 1 MB thread
// name or message would make the page unusable, not more informative).
constexpr size_t MaxFieldBytes = 8192;
std::string clipText(const std::string &S, size_t Max);

// Replaces every byte that does not start a well-formed UTF-8 sequence with
// U+FFFD and, inside JSON strings, every \u escape of an unpaired UTF-16
// surrogate with \uFFFD, so that a strict JSON parser accepts the text.
std::string sanitizeJsonText(const std::string &Text);

// Splits Text into its top-level JSON values (a runtime output file may hold
// several dumps appended one after the other). Returns false on an
// unterminated value.
bool splitJsonValues(const std::string &Text, std::vector<std::string> &Values);

// Adds the content of one input file (already read) to M. On failure returns
// false with Error set to a phrase (no file name, no newline).
bool loadInput(const std::string &Path, const std::string &Text, Model &M,
               std::string &Error);

// Reads the fingerprints of a baseline file's text.
bool loadBaseline(const std::string &Text, std::set<std::string> &Fingerprints,
                  std::string &Error);

// Marks each finding new or known.
void applyBaseline(Model &M, const std::set<std::string> &Fingerprints);

} // namespace tether::report
