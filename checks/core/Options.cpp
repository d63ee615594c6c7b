#include "Options.h"
#include "TUChecks.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/ErrorHandling.h"

#include <mutex>

namespace tether {

// llvm::GlobPattern points into the text it was made from. The texts of
// option globs are interned for the life of the process (one copy of each
// distinct glob the configs hold), so that a NameGlobs can be copied and
// outlive the option value it was parsed from.
static llvm::StringRef internGlob(llvm::StringRef Text) {
  static std::mutex Lock;
  static llvm::StringSet<> Texts;
  std::lock_guard<std::mutex> Guard(Lock);
  return Texts.insert(Text).first->getKey();
}

llvm::StringRef optionTypeName(OptionType T) {
  switch (T) {
  case OptionType::Bool:
    return "bool";
  case OptionType::Integer:
    return "integer";
  case OptionType::Globs:
    return "globs";
  }
  llvm_unreachable("option type");
}

bool NameGlobs::parse(llvm::StringRef List, std::string *Error) {
  Patterns.clear();
  llvm::SmallVector<llvm::StringRef, 8> Parts;
  List.split(Parts, ',', -1, false);
  for (llvm::StringRef P : Parts) {
    P = P.trim();
    if (P.empty())
      continue;
    llvm::Expected<llvm::GlobPattern> G =
        llvm::GlobPattern::create(internGlob(P));
    if (!G) {
      std::string Why = llvm::toString(G.takeError());
      if (Error)
        *Error = "invalid glob '" + P.str() + "': " + Why;
      Patterns.clear();
      return false;
    }
    Patterns.push_back(std::move(*G));
  }
  return true;
}

bool NameGlobs::matches(llvm::StringRef Name) const {
  for (const llvm::GlobPattern &G : Patterns)
    if (G.match(Name))
      return true;
  return false;
}

bool NameGlobs::matchesAny(llvm::ArrayRef<std::string> Names) const {
  for (const std::string &N : Names)
    if (matches(N))
      return true;
  return false;
}

namespace {

const OptionInfo *findDeclared(llvm::ArrayRef<CheckInfo> Known,
                               llvm::StringRef Check, llvm::StringRef Name,
                               const CheckInfo **Owner = nullptr) {
  for (const CheckInfo &I : Known) {
    if (I.Id != Check)
      continue;
    if (Owner)
      *Owner = &I;
    for (const OptionInfo &O : I.Options)
      if (O.Name == Name)
        return &O;
  }
  return nullptr;
}

bool parseBool(llvm::StringRef V, bool &Out) {
  V = V.trim();
  if (V == "true") {
    Out = true;
    return true;
  }
  if (V == "false") {
    Out = false;
    return true;
  }
  return false;
}

bool parseInt(llvm::StringRef V, uint64_t &Out) {
  return !V.trim().getAsInteger(10, Out);
}

// The value of a declared option: the config's, or the default.
std::string valueOf(const CheckOptions &O, llvm::StringRef Check,
                    llvm::StringRef Name, const OptionInfo *&Decl) {
  Decl = findDeclared(registeredChecks(), Check, Name);
  if (!Decl)
    llvm::report_fatal_error(llvm::Twine("check option '") + Check + "." +
                             Name + "' is read but not declared");
  auto It = O.Values.find((Check + "." + Name).str());
  return It == O.Values.end() ? Decl->Default : It->second;
}

} // namespace

bool boolOption(const CheckOptions &O, llvm::StringRef Check,
                llvm::StringRef Name) {
  const OptionInfo *Decl;
  bool B = false;
  if (!parseBool(valueOf(O, Check, Name, Decl), B))
    parseBool(Decl->Default, B);
  return B;
}

uint64_t intOption(const CheckOptions &O, llvm::StringRef Check,
                   llvm::StringRef Name) {
  const OptionInfo *Decl;
  uint64_t N = 0;
  if (!parseInt(valueOf(O, Check, Name, Decl), N))
    parseInt(Decl->Default, N);
  return N;
}

NameGlobs globsOption(const CheckOptions &O, llvm::StringRef Check,
                      llvm::StringRef Name) {
  const OptionInfo *Decl;
  NameGlobs G;
  if (!G.parse(valueOf(O, Check, Name, Decl)))
    G.parse(Decl->Default);
  return G;
}

bool validateOption(llvm::StringRef Key, llvm::StringRef Value,
                    llvm::ArrayRef<CheckInfo> Known, std::string &Error) {
  auto [Check, Name] = Key.split('.');
  const CheckInfo *Owner = nullptr;
  const OptionInfo *Decl = findDeclared(Known, Check, Name, &Owner);
  if (!Owner) {
    Error = "unknown option '" + Key.str() + "': no check '" + Check.str() +
            "' (options are written 'check-id.name'; see 'tether check "
            "--list-options')";
    return false;
  }
  if (!Decl) {
    std::string Names;
    for (const OptionInfo &O : Owner->Options)
      Names += (Names.empty() ? "" : ", ") + O.Name;
    Error = "unknown option '" + Key.str() + "'; " +
            (Names.empty() ? Check.str() + " has no options"
                           : Check.str() + " has: " + Names);
    return false;
  }
  std::string Why;
  bool Ok = true;
  switch (Decl->Type) {
  case OptionType::Bool: {
    bool B;
    Ok = parseBool(Value, B);
    Why = "expected true or false";
    break;
  }
  case OptionType::Integer: {
    uint64_t N;
    Ok = parseInt(Value, N);
    Why = "expected a number >= 0";
    break;
  }
  case OptionType::Globs:
    Ok = NameGlobs().parse(Value, &Why);
    break;
  }
  if (!Ok)
    Error = "invalid value '" + Value.str() + "' for option '" + Key.str() +
            "' (" + optionTypeName(Decl->Type).str() + "): " + Why;
  return Ok;
}

} // namespace tether
