#include "Summaries.h"
#include "FindingJSON.h"
#include "LinkDigest.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

using namespace llvm;

namespace tether {

// ---------------------------------------------------------------------------
// JSON

static json::Value keyToJSON(const SummaryKey &K) {
  static const char *Roots[] = {"param", "this", "global", "ret"};
  json::Object O{{"root", Roots[K.Root]}, {"path", json::Array()}};
  if (K.Root == SummaryKey::Param)
    O["index"] = K.Index;
  if (K.Root == SummaryKey::Global)
    O["name"] = K.Name;
  json::Array &P = *O.getArray("path");
  for (const std::string &F : K.Path)
    P.push_back(F);
  return O;
}

static json::Value optKey(const std::optional<SummaryKey> &K) {
  return K ? keyToJSON(*K) : json::Value(nullptr);
}

// A point with its range's end when it has one: the link phase hands these
// points to notes, which the writers print with their ranges.
static void pointFields(json::Object &O, const SourcePoint &W) {
  O["file"] = bytesToJSON(W.File);
  O["line"] = W.Line;
  O["column"] = W.Column;
  O["text"] = bytesToJSON(W.LineText);
  if (W.EndLine) {
    O["end_line"] = W.EndLine;
    O["end_column"] = W.EndColumn;
  }
}

static json::Value pointToJSON(const SourcePoint &W, const std::string &Fn) {
  json::Object O{{"function", Fn}};
  pointFields(O, W);
  return O;
}

static json::Value blockToJSON(const std::optional<ExternalBlockFact> &B) {
  if (!B)
    return nullptr;
  json::Value V = pointToJSON(B->Where, B->Function);
  (*V.getAsObject())["what"] = B->What;
  if (!B->ReleasesParams.empty()) {
    json::Array R;
    for (unsigned I : B->ReleasesParams)
      R.push_back(int64_t(I));
    (*V.getAsObject())["releases_params"] = std::move(R);
  }
  return V;
}

static json::Value objectsToJSON(const std::vector<ExternalObjectFact> &L) {
  json::Array A;
  for (const ExternalObjectFact &F : L) {
    json::Value V = pointToJSON(F.Where, F.Function);
    (*V.getAsObject())["key"] = optKey(F.Key);
    A.push_back(std::move(V));
  }
  return A;
}

static json::Value eventToJSON(const ExternalEvent &E) {
  json::Object O{{"kind", E.Kind},
                 {"key", keyToJSON(E.Key)},
                 {"model", E.Model},
                 {"function", E.Function},
                 {"handled", E.Handled},
                 {"waits_close", E.WaitsClose},
                 {"in_loop", E.InLoop}};
  pointFields(O, E.Where);
  return O;
}

static json::Value factsToJSON(const ExternalFacts &F) {
  json::Array Calls;
  for (const ExternalFactCall &C : F.Calls) {
    json::Array Args;
    for (const auto &A : C.Args)
      Args.push_back(optKey(A));
    Calls.push_back(json::Object{{"callee", C.Callee},
                                 {"args", std::move(Args)},
                                 {"object", optKey(C.Object)},
                                 {"unconditional", C.Unconditional},
                                 {"cuts", C.Cuts}});
  }
  return json::Object{{"may_block", blockToJSON(F.MayBlock)},
                      {"may_wait", blockToJSON(F.MayWait)},
                      {"must_wait", blockToJSON(F.MustWait)},
                      {"never_returns", blockToJSON(F.NeverReturns)},
                      {"acquires", objectsToJSON(F.Acquires)},
                      {"requests_stop", objectsToJSON(F.RequestsStop)},
                      {"writes_flag", objectsToJSON(F.WritesFlag)},
                      {"opaque", F.Opaque},
                      {"calls", std::move(Calls)}};
}

json::Value toJSON(const TUSummaries &S) {
  json::Array Fns;
  for (const ExternalSummary &F : S.Functions) {
    json::Array Events, Calls;
    for (const ExternalEvent &E : F.Events)
      Events.push_back(eventToJSON(E));
    for (const ExternalCall &C : F.Calls) {
      json::Array Args;
      for (const auto &A : C.Args)
        Args.push_back(optKey(A));
      Calls.push_back(json::Object{{"callee", C.Callee},
                                   {"args", std::move(Args)},
                                   {"object", optKey(C.Object)},
                                   {"dest", optKey(C.Dest)}});
    }
    json::Object Fn{{"usr", F.USR},
                    {"name", F.Name},
                    {"events", std::move(Events)},
                    {"calls", std::move(Calls)}};
    if (!F.Facts.empty())
      Fn["facts"] = factsToJSON(F.Facts);
    Fns.push_back(std::move(Fn));
  }
  json::Array Ext;
  for (const std::string &U : S.ExternalCallees)
    Ext.push_back(U);
  json::Array Asked;
  for (const std::string &U : S.AskedFacts)
    Asked.push_back(U);
  return json::Object{{"version", 1},
                      {"functions", std::move(Fns)},
                      {"external_callees", std::move(Ext)},
                      {"asked_facts", std::move(Asked)},
                      {"asked_all", S.AskedAll}};
}

static bool keyFromJSON(const json::Value *V, SummaryKey &K) {
  const json::Object *O = V ? V->getAsObject() : nullptr;
  if (!O)
    return false;
  std::optional<StringRef> Root = O->getString("root");
  if (!Root)
    return false;
  if (*Root == "param") {
    K.Root = SummaryKey::Param;
    std::optional<int64_t> I = O->getInteger("index");
    if (!I || *I < 0)
      return false;
    K.Index = int(*I);
  } else if (*Root == "this") {
    K.Root = SummaryKey::This;
  } else if (*Root == "global") {
    K.Root = SummaryKey::Global;
    std::optional<StringRef> N = O->getString("name");
    if (!N || N->empty())
      return false;
    K.Name = N->str();
  } else if (*Root == "ret") {
    K.Root = SummaryKey::Ret;
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
  return true;
}

static bool optKeyFromJSON(const json::Value *V, std::optional<SummaryKey> &K) {
  if (!V || V->getAsNull())
    return true;
  SummaryKey S;
  if (!keyFromJSON(V, S))
    return false;
  K = std::move(S);
  return true;
}

static void pointFieldsFromJSON(const json::Object &O, SourcePoint &W) {
  if (const json::Value *F = O.get("file"); !F || !bytesFromJSON(*F, W.File))
    W.File.clear();
  W.Line = unsigned(O.getInteger("line").value_or(0));
  W.Column = unsigned(O.getInteger("column").value_or(0));
  W.EndLine = unsigned(O.getInteger("end_line").value_or(0));
  W.EndColumn = unsigned(O.getInteger("end_column").value_or(0));
  if (const json::Value *T = O.get("text"); !T || !bytesFromJSON(*T, W.LineText))
    W.LineText.clear();
}

static void pointFromJSON(const json::Object &O, SourcePoint &W,
                          std::string &Fn) {
  pointFieldsFromJSON(O, W);
  Fn = O.getString("function").value_or("").str();
}

static bool blockFromJSON(const json::Value *V,
                          std::optional<ExternalBlockFact> &B) {
  if (!V || V->getAsNull())
    return true;
  const json::Object *O = V->getAsObject();
  if (!O)
    return false;
  ExternalBlockFact F;
  F.What = O->getString("what").value_or("").str();
  if (F.What.empty())
    return false;
  pointFromJSON(*O, F.Where, F.Function);
  if (const json::Array *R = O->getArray("releases_params"))
    for (const json::Value &I : *R) {
      std::optional<int64_t> N = I.getAsInteger();
      if (!N || *N < 0)
        return false;
      F.ReleasesParams.push_back(unsigned(*N));
    }
  B = std::move(F);
  return true;
}

static bool objectsFromJSON(const json::Value *V,
                            std::vector<ExternalObjectFact> &L) {
  if (!V)
    return true;
  const json::Array *A = V->getAsArray();
  if (!A)
    return false;
  for (const json::Value &E : *A) {
    const json::Object *O = E.getAsObject();
    if (!O)
      return false;
    ExternalObjectFact F;
    if (!optKeyFromJSON(O->get("key"), F.Key))
      return false;
    pointFromJSON(*O, F.Where, F.Function);
    L.push_back(std::move(F));
  }
  return true;
}

static bool factsFromJSON(const json::Value *V, ExternalFacts &F) {
  if (!V)
    return true;
  const json::Object *O = V->getAsObject();
  if (!O)
    return false;
  if (!blockFromJSON(O->get("may_block"), F.MayBlock) ||
      !blockFromJSON(O->get("may_wait"), F.MayWait) ||
      !blockFromJSON(O->get("must_wait"), F.MustWait) ||
      !blockFromJSON(O->get("never_returns"), F.NeverReturns) ||
      !objectsFromJSON(O->get("acquires"), F.Acquires) ||
      !objectsFromJSON(O->get("requests_stop"), F.RequestsStop) ||
      !objectsFromJSON(O->get("writes_flag"), F.WritesFlag))
    return false;
  F.Opaque = O->getBoolean("opaque").value_or(false);
  if (const json::Array *Calls = O->getArray("calls"))
    for (const json::Value &CV : *Calls) {
      const json::Object *C = CV.getAsObject();
      if (!C)
        return false;
      ExternalFactCall Call;
      Call.Callee = C->getString("callee").value_or("").str();
      if (Call.Callee.empty())
        return false;
      if (const json::Array *Args = C->getArray("args"))
        for (const json::Value &A : *Args) {
          std::optional<SummaryKey> K;
          if (!optKeyFromJSON(&A, K))
            return false;
          Call.Args.push_back(std::move(K));
        }
      if (!optKeyFromJSON(C->get("object"), Call.Object))
        return false;
      Call.Unconditional = C->getBoolean("unconditional").value_or(false);
      Call.Cuts = C->getBoolean("cuts").value_or(false);
      F.Calls.push_back(std::move(Call));
    }
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
        pointFromJSON(*E, Ev.Where, Ev.Function);
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
            std::optional<SummaryKey> K;
            if (!optKeyFromJSON(&A, K))
              return false;
            Call.Args.push_back(std::move(K));
          }
        if (!optKeyFromJSON(C->get("object"), Call.Object) ||
            !optKeyFromJSON(C->get("dest"), Call.Dest))
          return false;
        Sum.Calls.push_back(std::move(Call));
      }
    if (!factsFromJSON(F->get("facts"), Sum.Facts))
      return false;
    S.Functions.push_back(std::move(Sum));
  }
  if (const json::Array *Ext = O->getArray("external_callees"))
    for (const json::Value &U : *Ext)
      if (std::optional<StringRef> S2 = U.getAsString())
        S.ExternalCallees.push_back(S2->str());
  // Without the list (an older writer), every external callee counts.
  const json::Array *Asked = O->getArray("asked_facts");
  S.AskedAll = !Asked || O->getBoolean("asked_all").value_or(true);
  if (Asked)
    for (const json::Value &U : *Asked)
      if (std::optional<StringRef> S2 = U.getAsString())
        S.AskedFacts.push_back(S2->str());
  return true;
}

uint64_t linkedDigest(const LinkedSummaries &L,
                      const std::vector<std::string> &USRs) {
  std::vector<std::string> Sorted = USRs;
  llvm::sort(Sorted);
  Sorted.erase(std::unique(Sorted.begin(), Sorted.end()), Sorted.end());
  json::Array All;
  for (const std::string &USR : Sorted) {
    const std::vector<ExternalEvent> *Evs = L.events(USR);
    const ExternalFacts *F = L.facts(USR);
    if (!Evs && !F)
      continue;
    json::Array Events;
    if (Evs)
      for (const ExternalEvent &E : *Evs)
        Events.push_back(eventToJSON(E));
    All.push_back(json::Object{{"usr", USR},
                               {"events", std::move(Events)},
                               {"facts", F ? factsToJSON(*F) : nullptr}});
  }
  std::string Text;
  raw_string_ostream OS(Text);
  OS << json::Value(std::move(All));
  OS.flush();
  return xxh3_64bits(StringRef(Text));
}

// ---------------------------------------------------------------------------
// Link

void LinkedSummaries::add(const TUSummaries &S) {
  for (const ExternalSummary &F : S.Functions)
    Defs.emplace(F.USR, F);
}

// A callee's key in the caller's terms, given what the call passes for the
// callee's parameters, its object and the value it returns; nullopt when the
// call does not pass anything the caller can name there. Globals are the
// same object on both sides.
static std::optional<SummaryKey>
mapKey(const SummaryKey &K, const std::vector<std::optional<SummaryKey>> &Args,
       const std::optional<SummaryKey> &Object,
       const std::optional<SummaryKey> &Dest) {
  std::optional<SummaryKey> Base;
  switch (K.Root) {
  case SummaryKey::Param:
    if (K.Index < int(Args.size()))
      Base = Args[K.Index];
    break;
  case SummaryKey::This:
    Base = Object;
    break;
  case SummaryKey::Global:
    return K;
  case SummaryKey::Ret:
    Base = Dest;
    break;
  }
  if (!Base)
    return std::nullopt;
  Base->Path.insert(Base->Path.end(), K.Path.begin(), K.Path.end());
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
      if (std::optional<SummaryKey> K =
              mapKey(E.Key, C.Args, C.Object, C.Dest)) {
        ExternalEvent M = E;
        M.Key = std::move(*K);
        Out.push_back(std::move(M));
      }
    }
  }
  InProgress[USR] = false;
  return Resolved[USR] = std::move(Out);
}

static void mapObjects(std::vector<ExternalObjectFact> &Out,
                       const std::vector<ExternalObjectFact> &From,
                       const ExternalFactCall &C) {
  for (const ExternalObjectFact &F : From) {
    if (Out.size() >= 256)
      return; // bounded, like the events
    ExternalObjectFact M = F;
    if (F.Key) {
      M.Key = mapKey(*F.Key, C.Args, C.Object, std::nullopt);
      if (!M.Key)
        continue; // an object of the caller's that it cannot name
    }
    if (!llvm::any_of(Out, [&](const ExternalObjectFact &O) {
          return O.Key == M.Key;
        }))
      Out.push_back(std::move(M));
  }
}

// What a round of the facts' fixpoint can change.
static bool sameShape(const ExternalFacts &A, const ExternalFacts &B) {
  return bool(A.MayBlock) == bool(B.MayBlock) &&
         bool(A.MayWait) == bool(B.MayWait) &&
         bool(A.MustWait) == bool(B.MustWait) &&
         bool(A.NeverReturns) == bool(B.NeverReturns) &&
         (!A.MustWait || A.MustWait->ReleasesParams.empty() ==
                             B.MustWait->ReleasesParams.empty()) &&
         A.Opaque == B.Opaque &&
         A.Acquires.size() == B.Acquires.size() &&
         A.RequestsStop.size() == B.RequestsStop.size() &&
         A.WritesFlag.size() == B.WritesFlag.size();
}

// Facts only grow along calls (a block found, an object added, opacity), so
// rounds over every function reach a fixpoint; recursion through other TUs
// needs no special case. Each round is linear in the calls.
void LinkedSummaries::linkFacts() {
  static const ExternalFacts Empty;
  for (int Round = 0; Round < 64; ++Round) {
    bool Changed = false;
    for (const auto &[USR, Def] : Defs) {
      ExternalFacts Out = Def.Facts;
      Out.Calls.clear(); // resolved here
      for (const ExternalFactCall &C : Def.Facts.Calls) {
        if (!Defs.count(C.Callee)) {
          Out.Opaque = true; // defined in no analysed TU
          continue;
        }
        auto It = ResolvedFacts.find(C.Callee);
        const ExternalFacts &Callee =
            It == ResolvedFacts.end() ? Empty : It->second;
        if (!Out.MayBlock)
          Out.MayBlock = Callee.MayBlock;
        if (!Out.MayWait)
          Out.MayWait = Callee.MayWait;
        if (C.Unconditional && Callee.MustWait) {
          // The callee's released parameters, as the caller's own: an
          // argument that is a parameter of the caller, as it is.
          ExternalBlockFact B = *Callee.MustWait;
          B.ReleasesParams.clear();
          for (unsigned I : Callee.MustWait->ReleasesParams)
            if (I < C.Args.size() && C.Args[I] &&
                C.Args[I]->Root == SummaryKey::Param && C.Args[I]->Path.empty() &&
                !llvm::is_contained(B.ReleasesParams, unsigned(C.Args[I]->Index)))
              B.ReleasesParams.push_back(unsigned(C.Args[I]->Index));
          if (!Out.MustWait || (!Out.MustWait->ReleasesParams.empty() &&
                                B.ReleasesParams.empty()))
            Out.MustWait = std::move(B);
        }
        // A call every path makes, of a function that never returns:
        // neither does the caller (the cause stays the callee's).
        if (C.Cuts && Callee.NeverReturns && !Out.NeverReturns)
          Out.NeverReturns = Callee.NeverReturns;
        mapObjects(Out.Acquires, Callee.Acquires, C);
        mapObjects(Out.RequestsStop, Callee.RequestsStop, C);
        mapObjects(Out.WritesFlag, Callee.WritesFlag, C);
        Out.Opaque = Out.Opaque || Callee.Opaque;
      }
      ExternalFacts &Slot = ResolvedFacts[USR];
      if (!sameShape(Slot, Out))
        Changed = true;
      Slot = std::move(Out);
    }
    if (!Changed)
      break;
  }
}

void LinkedSummaries::link() {
  for (const auto &[USR, Def] : Defs)
    resolve(USR, 0);
  linkFacts();
  for (auto It = ResolvedFacts.begin(); It != ResolvedFacts.end();)
    It = It->second.empty() ? ResolvedFacts.erase(It) : std::next(It);
  // Functions whose linked summary says nothing are dropped.
  for (auto It = Resolved.begin(); It != Resolved.end();)
    It = It->second.empty() ? Resolved.erase(It) : std::next(It);
}

const ExternalFacts *LinkedSummaries::facts(const std::string &USR) const {
  auto It = ResolvedFacts.find(USR);
  return It == ResolvedFacts.end() ? nullptr : &It->second;
}

const std::vector<ExternalEvent> *
LinkedSummaries::events(const std::string &USR) const {
  auto It = Resolved.find(USR);
  return It == Resolved.end() ? nullptr : &It->second;
}

} // namespace tether
