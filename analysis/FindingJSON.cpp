#include "FindingJSON.h"

#include "llvm/ADT/StringExtras.h"

using namespace llvm;

namespace tether {

json::Value bytesToJSON(StringRef S) {
  if (json::isUTF8(S))
    return S.str();
  return json::Object{{"hex", toHex(S, /*LowerCase=*/true)}};
}

bool bytesFromJSON(const json::Value &V, std::string &Out) {
  if (std::optional<StringRef> S = V.getAsString()) {
    Out = S->str();
    return true;
  }
  const json::Object *O = V.getAsObject();
  std::optional<StringRef> Hex = O ? O->getString("hex") : std::nullopt;
  return Hex && O->size() == 1 && tryGetFromHex(*Hex, Out);
}

namespace {

json::Value pointToJSON(const SourcePoint &P) {
  json::Object O{{"file", bytesToJSON(P.File)},
                 {"line", int64_t(P.Line)},
                 {"column", int64_t(P.Column)},
                 {"text", bytesToJSON(P.LineText)}};
  if (P.EndLine || P.EndColumn) {
    O["end_line"] = int64_t(P.EndLine);
    O["end_column"] = int64_t(P.EndColumn);
  }
  return O;
}

bool unsignedField(const json::Object &O, StringRef Key, unsigned &Out,
                   bool Required) {
  const json::Value *V = O.get(Key);
  if (!V) {
    Out = 0;
    return !Required;
  }
  std::optional<int64_t> I = V->getAsInteger();
  if (!I || *I < 0 || *I > int64_t(UINT32_MAX))
    return false;
  Out = unsigned(*I);
  return true;
}

bool stringField(const json::Object &O, StringRef Key, std::string &Out) {
  const json::Value *V = O.get(Key);
  if (!V) {
    Out.clear();
    return true;
  }
  return bytesFromJSON(*V, Out);
}

bool pointFromJSON(const json::Value *V, SourcePoint &P) {
  const json::Object *O = V ? V->getAsObject() : nullptr;
  return O && stringField(*O, "file", P.File) &&
         unsignedField(*O, "line", P.Line, true) &&
         unsignedField(*O, "column", P.Column, true) &&
         unsignedField(*O, "end_line", P.EndLine, false) &&
         unsignedField(*O, "end_column", P.EndColumn, false) &&
         stringField(*O, "text", P.LineText);
}

} // namespace

json::Value toJSON(const Finding &F) {
  json::Array Notes, Threads, Fixes;
  for (const Note &N : F.Notes)
    Notes.push_back(json::Object{{"where", pointToJSON(N.Where)},
                                 {"message", bytesToJSON(N.Message)},
                                 {"thread", int64_t(N.Thread)}});
  for (const std::string &T : F.Threads)
    Threads.push_back(bytesToJSON(T));
  for (const FixIt &X : F.Fixes)
    Fixes.push_back(json::Object{{"where", pointToJSON(X.Where)},
                                 {"replacement", bytesToJSON(X.Replacement)}});
  return json::Object{{"check", bytesToJSON(F.CheckId)},
                      {"level", severityName(F.Level)},
                      {"where", pointToJSON(F.Where)},
                      {"message", bytesToJSON(F.Message)},
                      {"notes", std::move(Notes)},
                      {"threads", std::move(Threads)},
                      {"fixes", std::move(Fixes)},
                      {"function", bytesToJSON(F.Function)},
                      {"anchor", bytesToJSON(F.AnchorText)},
                      {"fingerprint", bytesToJSON(F.Fingerprint)}};
}

bool fromJSON(const json::Value &V, Finding &F) {
  const json::Object *O = V.getAsObject();
  if (!O)
    return false;
  std::optional<StringRef> Level = O->getString("level");
  if (!Level)
    return false;
  if (*Level == "remark")
    F.Level = Severity::Remark;
  else if (*Level == "warning")
    F.Level = Severity::Warning;
  else if (*Level == "error")
    F.Level = Severity::Error;
  else
    return false;
  if (!stringField(*O, "check", F.CheckId) || F.CheckId.empty() ||
      !pointFromJSON(O->get("where"), F.Where) ||
      !stringField(*O, "message", F.Message) ||
      !stringField(*O, "function", F.Function) ||
      !stringField(*O, "anchor", F.AnchorText) ||
      !stringField(*O, "fingerprint", F.Fingerprint))
    return false;
  const json::Array *Notes = O->getArray("notes");
  const json::Array *Threads = O->getArray("threads");
  const json::Array *Fixes = O->getArray("fixes");
  if (!Notes || !Threads || !Fixes)
    return false;
  F.Notes.clear();
  for (const json::Value &NV : *Notes) {
    const json::Object *NO = NV.getAsObject();
    Note N;
    if (!NO || !pointFromJSON(NO->get("where"), N.Where) ||
        !stringField(*NO, "message", N.Message) ||
        !unsignedField(*NO, "thread", N.Thread, true))
      return false;
    F.Notes.push_back(std::move(N));
  }
  F.Threads.clear();
  for (const json::Value &T : *Threads) {
    std::string S;
    if (!bytesFromJSON(T, S))
      return false;
    F.Threads.push_back(std::move(S));
  }
  F.Fixes.clear();
  for (const json::Value &XV : *Fixes) {
    const json::Object *XO = XV.getAsObject();
    FixIt X;
    if (!XO || !pointFromJSON(XO->get("where"), X.Where) ||
        !stringField(*XO, "replacement", X.Replacement))
      return false;
    F.Fixes.push_back(std::move(X));
  }
  return true;
}

json::Value findingsToJSON(const std::vector<Finding> &Findings) {
  json::Array A;
  for (const Finding &F : Findings)
    A.push_back(toJSON(F));
  return A;
}

bool findingsFromJSON(const json::Value &V, std::vector<Finding> &Findings) {
  const json::Array *A = V.getAsArray();
  if (!A)
    return false;
  Findings.clear();
  Findings.reserve(A->size());
  for (const json::Value &E : *A) {
    Finding F;
    if (!fromJSON(E, F))
      return false;
    Findings.push_back(std::move(F));
  }
  return true;
}

} // namespace tether
