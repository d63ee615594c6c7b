// Cross-translation-unit channel summaries.
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

// A channel named from inside a function: a parameter, a member of `this`,
// or the returned object, followed by field names.
struct KeySpec {
  enum RootKind { Param, This, Ret } Root = Param;
  int Index = 0;                 // Param
  std::vector<std::string> Path; // This: the member first
  bool operator==(const KeySpec &O) const {
    return Root == O.Root && Index == O.Index && Path == O.Path;
  }
};

struct ExternalEvent {
  int Kind = 0; // ChanOpKind
  KeySpec Key;
  std::string Model; // channel model type name ("" for escapes)
  SourcePoint Where;
  std::string Function; // qualified name of the function the op is in
  bool Handled = false, WaitsClose = false, InLoop = false;
};

struct ExternalCall {
  std::string Callee; // USR
  std::vector<std::optional<KeySpec>> Args;
  std::optional<KeySpec> Object, Dest;
};

struct ExternalSummary {
  std::string USR, Name;
  std::vector<ExternalEvent> Events;
  std::vector<ExternalCall> Calls;
};

// What one TU exports.
struct TUSummaries {
  std::vector<ExternalSummary> Functions;
  // Functions this TU calls without seeing their bodies (USRs).
  std::vector<std::string> ExternalCallees;
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
  size_t size() const { return Defs.size(); }

private:
  const std::vector<ExternalEvent> &resolve(const std::string &USR, int Depth);
  std::map<std::string, ExternalSummary> Defs;
  std::map<std::string, std::vector<ExternalEvent>> Resolved;
  std::map<std::string, bool> InProgress;
};

} // namespace tether
