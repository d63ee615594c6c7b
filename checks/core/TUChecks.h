// The checks layer as the driver sees it. Everything `tether check` needs
// from below tool/ goes through this header, which includes no analysis
// header: which checks exist and what options they declare, running the
// enabled checks over one parsed translation unit, and the facts a TU
// exports to the cross-TU link phase, as opaque handles.
//
// The link phase, in memory:
//   TUFacts     what one TU exports: one record per function other TUs can
//               call, keyed by USR (analysis/Summaries.h), plus the USRs it
//               calls without seeing their bodies;
//   LinkedFacts every TU's records merged (the first definition of a USR
//               wins) and resolved through the calls; it says which TUs
//               depend on it (`affects`) and is handed to their second pass.
// The driver moves the handles and never looks inside: new per-function
// facts travel without a change here or in the driver.
#pragma once

#include "CheckInfo.h"
#include "Finding.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace clang {
class ASTContext;
}
namespace llvm {
class Regex;
} // namespace llvm

namespace tether {

class ModelSet;
struct ApiModel;
class LinkedSummaries;
struct TUSummaries;

// Every check tether ships, in registration order (checks/Checks.cpp).
const std::vector<CheckInfo> &registeredChecks();

// `--checks` globs: "*,-channel-*,channel-double-close". Later entries win.
bool checkEnabled(llvm::StringRef Globs, llvm::StringRef Id);

// `options:` of a config, as written: "check-id.name" -> value.
using OptionValues = std::map<std::string, std::string>;

// Validates one option against the declarations of Known: the check exists,
// declares the option, and the value has the declared type. On failure
// returns false and sets Error to one line naming what is known
// ("unknown option 'x.y'; x has: a, b").
bool validateOption(llvm::StringRef Key, llvm::StringRef Value,
                    llvm::ArrayRef<CheckInfo> Known, std::string &Error);

// What one TU exports to the link phase. Empty for a TU that was not
// analysed or has nothing to export.
class TUFacts {
public:
  TUFacts();
  ~TUFacts();
  TUFacts(TUFacts &&);
  TUFacts &operator=(TUFacts &&);
  // Functions defined here that other TUs can call.
  size_t functions() const;
  // Whether the TU calls functions it does not define: only such a TU can
  // depend on the link phase.
  bool callsExternal() const;

private:
  friend class LinkedFacts;
  friend struct TUCheckRun;
  std::unique_ptr<TUSummaries> S;
};

// Every TU's facts, merged and resolved.
class LinkedFacts {
public:
  LinkedFacts();
  ~LinkedFacts();
  LinkedFacts(LinkedFacts &&);
  LinkedFacts &operator=(LinkedFacts &&);
  // Merges the exports in the given order (the first definition of a USR
  // wins: inline functions are defined in many TUs, identically) and
  // resolves every call. Null entries are skipped.
  static LinkedFacts link(llvm::ArrayRef<const TUFacts *> TUs);
  // Whether the TU that exported Facts must be analysed again with the
  // linked view: it calls a function defined elsewhere whose linked facts
  // say something.
  bool affects(const TUFacts &Facts) const;
  // Functions with a definition in some TU.
  size_t functions() const;

private:
  friend struct TUCheckRun;
  std::unique_ptr<LinkedSummaries> L;
};

// How to run the checks on one TU.
struct TUCheckSetup {
  std::string Checks = "*";                 // globs of the enabled checks
  const ModelSet *Models = nullptr;         // built-in plus the config's
  const OptionValues *Options = nullptr;    // validated; null: defaults
  const llvm::Regex *HeaderFilter = nullptr; // headers analysed too
  const llvm::Regex *ExcludeHeaderFilter = nullptr; // ...except these
  bool SystemHeaders = false; // system headers may match HeaderFilter too
  // Hand-rolled queues of the project are channels too (analysis/
  // InferModels.h): their models are read off the code of each TU.
  bool InferModels = true;
};

// The models inferred from the classes a TU defines (not those Known already
// models), as one document; its `channels` is empty when nothing is certain.
ApiModel inferTUModels(clang::ASTContext &AST, const ModelSet &Known);

// Runs the enabled checks over every function with a body in the TU's main
// file (and in headers HeaderFilter matches). Linked null is the first pass:
// Export, when given, receives the TU's facts. With Linked, calls into
// functions defined elsewhere use the linked facts.
std::vector<Finding> runChecks(clang::ASTContext &AST,
                               const TUCheckSetup &Setup,
                               const LinkedFacts *Linked = nullptr,
                               TUFacts *Export = nullptr);

} // namespace tether
