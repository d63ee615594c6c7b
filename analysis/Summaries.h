// Cross-translation-unit summaries: channel effects and per-function facts.
//
// Each TU exports, for the functions it defines, what they do to the
// channels they can reach through their parameters, `this` and their
// returned value (ExternalSummary), plus the calls they make into functions
// defined elsewhere, with how the arguments map. The link phase merges the
// exports of every TU by USR and resolves the calls (LinkedSummaries): a
// function's linked events are its own plus its callees', mapped through
// each call. TUs that call a function with linked events are analysed again
// with the linked view, in which such a callee behaves like one whose body
// is visible.
//
// Each exported function also carries its facts (Facts.h: blocks, may
// acquire lock L, requests stop on S, writes flag F) with the calls into
// other TUs they depend on; the link phase resolves them the same way.
//
// Summaries are plain data (JSON on the wire: see toJSON/fromJSON), so the
// link phase needs no AST.
#pragma once

#include "Finding.h"

#include "llvm/Support/JSON.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tether {

// An object named from inside a function the way another TU can name it: a
// parameter (by position), a member of `this`, a global (by qualified name)
// or the returned object, followed by field names. Channel events and facts
// both name their objects so; ObjectKey.h maps a key to and from the
// declarations of a TU (summaryKeyOf, resolveSummaryKey). `This` with an
// empty path is the object itself (a call's object).
struct SummaryKey {
  enum RootKind { Param, This, Global, Ret } Root = Param;
  int Index = 0;                 // Param
  std::string Name;              // Global
  std::vector<std::string> Path; // This: the member first
  bool operator==(const SummaryKey &O) const {
    return Root == O.Root && Index == O.Index && Name == O.Name &&
           Path == O.Path;
  }
};

struct ExternalEvent {
  int Kind = 0; // ChanOpKind
  SummaryKey Key;
  std::string Model; // channel model type name ("" for escapes)
  SourcePoint Where;
  std::string Function; // qualified name of the function the op is in
  bool Handled = false, WaitsClose = false, InLoop = false;
};

struct ExternalCall {
  std::string Callee; // USR
  std::vector<std::optional<SummaryKey>> Args;
  std::optional<SummaryKey> Object, Dest;
};

struct ExternalBlockFact {
  std::string What;
  SourcePoint Where;
  std::string Function;
  std::vector<unsigned> ReleasesParams; // see BlockFact (Facts.h)
};

struct ExternalObjectFact {
  std::optional<SummaryKey> Key; // none: an object without a name (any)
  SourcePoint Where;
  std::string Function;
};

struct ExternalFactCall {
  std::string Callee; // USR
  std::vector<std::optional<SummaryKey>> Args;
  std::optional<SummaryKey> Object;
  bool Unconditional = false; // made on every path
  bool Cuts = false; // the caller cannot return unless it returns (Facts.h)
};

struct ExternalFacts {
  std::optional<ExternalBlockFact> MayBlock, MayWait, MustWait;
  // Never returns normally: What and where the cause is (ReleasesParams
  // unused).
  std::optional<ExternalBlockFact> NeverReturns;
  std::vector<ExternalObjectFact> Acquires, RequestsStop, WritesFlag;
  bool Opaque = false;
  std::vector<ExternalFactCall> Calls;
  bool empty() const {
    return !MayBlock && !MayWait && !MustWait && !NeverReturns &&
           Acquires.empty() &&
           RequestsStop.empty() && WritesFlag.empty() && !Opaque &&
           Calls.empty();
  }
};

struct ExternalSummary {
  std::string USR, Name;
  std::vector<ExternalEvent> Events;
  std::vector<ExternalCall> Calls;
  ExternalFacts Facts;
};

// What one TU exports.
struct TUSummaries {
  std::vector<ExternalSummary> Functions;
  // Functions this TU calls without seeing their bodies (USRs).
  std::vector<std::string> ExternalCallees;
  // Those whose facts the analyses and checks of the first pass asked for
  // (through the functions they asked about); AskedAll: maybe more of them
  // (a recursion was cut, or the list was not recorded).
  std::vector<std::string> AskedFacts;
  bool AskedAll = false;
};

llvm::json::Value toJSON(const TUSummaries &S);
// Returns false on malformed input (a summary file from another version).
bool fromJSON(const llvm::json::Value &V, TUSummaries &S);

// The merged view.
class LinkedSummaries {
public:
  // Adds one TU's export. The first definition of a USR wins (inline
  // functions are defined in many TUs, identically).
  void add(const TUSummaries &S);
  // Resolves every call: linear in the number of functions and calls
  // (each function is resolved once; recursion is cut).
  void link();
  // The linked events of a function, or null when it has none.
  const std::vector<ExternalEvent> *events(const std::string &USR) const;
  // The linked facts of a function (its own and its callees', mapped
  // through each call), or null when they say nothing.
  const ExternalFacts *facts(const std::string &USR) const;
  // Some TU defines the function (its facts are then known, if empty).
  bool defines(const std::string &USR) const { return Defs.count(USR) != 0; }
  // The link has something to say about calls of the function: channel
  // events or facts. A TU calling it should be analysed again.
  bool known(const std::string &USR) const {
    return events(USR) || facts(USR);
  }
  size_t size() const { return Defs.size(); }

private:
  const std::vector<ExternalEvent> &resolve(const std::string &USR, int Depth);
  void linkFacts();
  std::map<std::string, ExternalSummary> Defs;
  std::map<std::string, std::vector<ExternalEvent>> Resolved;
  std::map<std::string, bool> InProgress;
  std::map<std::string, ExternalFacts> ResolvedFacts;
};

} // namespace tether
