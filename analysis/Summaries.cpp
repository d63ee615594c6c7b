#include "Summaries.h"

using namespace llvm;

namespace tether {

// ---------------------------------------------------------------------------
// JSON

static json::Value keyToJSON(const KeySpec &K) {
  static const char *Roots[] = {"param", "this", "ret"};
  json::Object O{{"root", Roots[K.Root]}, {"path", json::Array()}};
  if (K.Root == KeySpec::Param)
    O["index"] = K.Index;
  json::Array &P = *O.getArray("path");
  for (const std::string &F : K.Path)
    P.push_back(F);
  return O;
}

static json::Value optKey(const std::optional<KeySpec> &K) {
  return K ? keyToJSON(*K) : json::Value(nullptr);
}

json::Value toJSON(const TUSummaries &S) {
  json::Array Fns;
  for (const ExternalSummary &F : S.Functions) {
    json::Array Events, Calls;
    for (const ExternalEvent &E : F.Events)
      Events.push_back(json::Object{
          {"kind", E.Kind},
          {"key", keyToJSON(E.Key)},
          {"model", E.Model},
          {"file", E.Where.File},
          {"line", E.Where.Line},
          {"column", E.Where.Column},
          {"text", E.Where.LineText},
          {"function", E.Function},
          {"handled", E.Handled},
          {"waits_close", E.WaitsClose},
          {"in_loop", E.InLoop}});
    for (const ExternalCall &C : F.Calls) {
      json::Array Args;
      for (const auto &A : C.Args)
        Args.push_back(optKey(A));
      Calls.push_back(json::Object{{"callee", C.Callee},
                                   {"args", std::move(Args)},
                                   {"object", optKey(C.Object)},
                                   {"dest", optKey(C.Dest)}});
    }
    Fns.push_back(json::Object{{"usr", F.USR},
                               {"name", F.Name},
                               {"events", std::move(Events)},
                               {"calls", std::move(Calls)}});
  }
  json::Array Ext;
  for (const std::string &U : S.ExternalCallees)
    Ext.push_back(U);
  return json::Object{{"version", 1},
                      {"functions", std::move(Fns)},
                      {"external_callees", std::move(Ext)}};
}

static bool keyFromJSON(const json::Value *V, KeySpec &K) {
  const json::Object *O = V ? V->getAsObject() : nullptr;
  if (!O)
    return false;
  std::optional<StringRef> Root = O->getString("root");
  if (!Root)
    return false;
  if (*Root == "param") {
    K.Root = KeySpec::Param;
    std::optional<int64_t> I = O->getInteger("index");
    if (!I || *I < 0)
      return false;
    K.Index = int(*I);
  } else if (*Root == "this") {
    K.Root = KeySpec::This;
  } else if (*Root == "ret") {
    K.Root = KeySpec::Ret;
  } else {
    return false;
  }
  if (const json::Array *P = O->getArray("path"))
    for (const json::Value &F : *P) {
      std::optional<StringRef> S = F.getAsString();
      if (!S)
        return false;
      K.Path.push_back(S->str());
    }
  return true; // `this` with an empty path: the object itself (call objects)
}

static bool optKeyFromJSON(const json::Value *V, std::optional<KeySpec> &K) {
  if (!V || V->getAsNull())
    return true;
  KeySpec S;
  if (!keyFromJSON(V, S))
    return false;
  K = std::move(S);
  return true;
}

bool fromJSON(const json::Value &V, TUSummaries &S) {
  const json::Object *O = V.getAsObject();
  if (!O || O->getInteger("version") != 1)
    return false;
  const json::Array *Fns = O->getArray("functions");
  if (!Fns)
    return false;
  for (const json::Value &FV : *Fns) {
    const json::Object *F = FV.getAsObject();
    if (!F)
      return false;
    ExternalSummary Sum;
    Sum.USR = F->getString("usr").value_or("").str();
    Sum.Name = F->getString("name").value_or("").str();
    if (Sum.USR.empty())
      return false;
    if (const json::Array *Evs = F->getArray("events"))
      for (const json::Value &EV : *Evs) {
        const json::Object *E = EV.getAsObject();
        if (!E)
          return false;
        ExternalEvent Ev;
        Ev.Kind = int(E->getInteger("kind").value_or(-1));
        if (Ev.Kind < 0 || !keyFromJSON(E->get("key"), Ev.Key))
          return false;
        Ev.Model = E->getString("model").value_or("").str();
        Ev.Where.File = E->getString("file").value_or("").str();
        Ev.Where.Line = unsigned(E->getInteger("line").value_or(0));
        Ev.Where.Column = unsigned(E->getInteger("column").value_or(0));
        Ev.Where.LineText = E->getString("text").value_or("").str();
        Ev.Function = E->getString("function").value_or("").str();
        Ev.Handled = E->getBoolean("handled").value_or(false);
        Ev.WaitsClose = E->getBoolean("waits_close").value_or(false);
        Ev.InLoop = E->getBoolean("in_loop").value_or(false);
        Sum.Events.push_back(std::move(Ev));
      }
    if (const json::Array *Calls = F->getArray("calls"))
      for (const json::Value &CV : *Calls) {
        const json::Object *C = CV.getAsObject();
        if (!C)
          return false;
        ExternalCall Call;
        Call.Callee = C->getString("callee").value_or("").str();
        if (const json::Array *Args = C->getArray("args"))
          for (const json::Value &A : *Args) {
            std::optional<KeySpec> K;
            if (!optKeyFromJSON(&A, K))
              return false;
            Call.Args.push_back(std::move(K));
          }
        if (!optKeyFromJSON(C->get("object"), Call.Object) ||
            !optKeyFromJSON(C->get("dest"), Call.Dest))
          return false;
        Sum.Calls.push_back(std::move(Call));
      }
    S.Functions.push_back(std::move(Sum));
  }
  if (const json::Array *Ext = O->getArray("external_callees"))
    for (const json::Value &U : *Ext)
      if (std::optional<StringRef> S2 = U.getAsString())
        S.ExternalCallees.push_back(S2->str());
  return true;
}

// ---------------------------------------------------------------------------
// Link

void LinkedSummaries::add(const TUSummaries &S) {
  for (const ExternalSummary &F : S.Functions)
    Defs.emplace(F.USR, F);
}

// A callee's key in the caller's terms, or nullopt when the call does not
// pass anything the caller can name there.
static std::optional<KeySpec> mapKey(const KeySpec &K, const ExternalCall &C) {
  std::optional<KeySpec> Base;
  std::vector<std::string> Tail = K.Path;
  switch (K.Root) {
  case KeySpec::Param:
    if (K.Index < int(C.Args.size()))
      Base = C.Args[K.Index];
    break;
  case KeySpec::This:
    Base = C.Object;
    break;
  case KeySpec::Ret:
    Base = C.Dest;
    break;
  }
  if (!Base)
    return std::nullopt;
  Base->Path.insert(Base->Path.end(), Tail.begin(), Tail.end());
  return Base;
}

const std::vector<ExternalEvent> &LinkedSummaries::resolve(const std::string &USR,
                                                           int Depth) {
  static const std::vector<ExternalEvent> Empty;
  auto Done = Resolved.find(USR);
  if (Done != Resolved.end())
    return Done->second;
  auto Def = Defs.find(USR);
  if (Def == Defs.end() || InProgress[USR] || Depth > 32)
    return Empty; // unknown, or a recursion: the cycle adds nothing more
  InProgress[USR] = true;
  std::vector<ExternalEvent> Out = Def->second.Events;
  for (const ExternalCall &C : Def->second.Calls) {
    const std::vector<ExternalEvent> &Callee = resolve(C.Callee, Depth + 1);
    for (const ExternalEvent &E : Callee) {
      if (Out.size() >= 512)
        break; // bounded: deep fan-out adds nothing a check needs
      if (std::optional<KeySpec> K = mapKey(E.Key, C)) {
        ExternalEvent M = E;
        M.Key = std::move(*K);
        Out.push_back(std::move(M));
      }
    }
  }
  InProgress[USR] = false;
  return Resolved[USR] = std::move(Out);
}

void LinkedSummaries::link() {
  for (const auto &[USR, Def] : Defs)
    resolve(USR, 0);
  // Functions whose linked summary says nothing are dropped.
  for (auto It = Resolved.begin(); It != Resolved.end();)
    It = It->second.empty() ? Resolved.erase(It) : std::next(It);
}

const std::vector<ExternalEvent> *
LinkedSummaries::events(const std::string &USR) const {
  auto It = Resolved.find(USR);
  return It == Resolved.end() ? nullptr : &It->second;
}

} // namespace tether
