#include "TUStore.h"
#include "FindingJSON.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

using namespace llvm;

namespace tether {

namespace {
constexpr StringRef Magic = "tether-tu";
} // namespace

std::string hashHex(uint64_t H) {
  std::string S = utohexstr(H, /*LowerCase=*/true);
  return std::string(16 - S.size(), '0') + S;
}

std::string encodeStoredTU(const StoredTU &T, StringRef Stamp) {
  json::Array Reads;
  for (const FileDigest &D : T.Reads)
    Reads.push_back(
        json::Array{bytesToJSON(D.Path), json::Value(hashHex(D.Hash))});
  json::Array Absent;
  for (const std::string &P : T.Absent)
    Absent.push_back(bytesToJSON(P));
  json::Object Body{{"stamp", bytesToJSON(Stamp)},
                    {"file", bytesToJSON(T.File)},
                    {"error", bytesToJSON(T.Error)},
                    {"findings", findingsToJSON(T.Findings)},
                    {"facts", factsToJSON(T.Facts)},
                    {"reads", std::move(Reads)},
                    {"absent", std::move(Absent)}};
  std::string Text;
  raw_string_ostream OS(Text);
  OS << json::Value(std::move(Body));
  OS.flush();
  std::string Out;
  raw_string_ostream H(Out);
  H << Magic << ' ' << TUStoreSchema << ' '
    << hashHex(xxh3_64bits(StringRef(Text))) << ' ' << Text.size() << '\n';
  H.flush();
  return Out + Text;
}

bool decodeStoredTU(StringRef Bytes, StringRef Stamp, StoredTU &Out,
                    std::string &Why) {
  auto [Header, Body] = Bytes.split('\n');
  SmallVector<StringRef, 4> Fields;
  Header.split(Fields, ' ');
  unsigned Schema = 0;
  uint64_t Size = 0;
  if (Fields.size() != 4 || Fields[0] != Magic ||
      Fields[1].getAsInteger(10, Schema) || Fields[2].size() != 16 ||
      Fields[3].getAsInteger(10, Size)) {
    Why = "not a tether result entry";
    return false;
  }
  if (Schema != TUStoreSchema) {
    Why = "written by another version of tether (schema " + Fields[1].str() +
          ", expected " + std::to_string(TUStoreSchema) + ")";
    return false;
  }
  if (Body.size() != Size) {
    Why = Body.size() < Size ? "truncated" : "has trailing bytes";
    return false;
  }
  if (hashHex(xxh3_64bits(Body)) != Fields[2]) {
    Why = "checksum mismatch";
    return false;
  }
  Expected<json::Value> V = json::parse(Body);
  if (!V) {
    consumeError(V.takeError());
    Why = "malformed JSON";
    return false;
  }
  const json::Object *O = V->getAsObject();
  std::string WrittenStamp;
  const json::Value *StampV = O ? O->get("stamp") : nullptr;
  if (!StampV || !bytesFromJSON(*StampV, WrittenStamp)) {
    Why = "malformed entry";
    return false;
  }
  if (WrittenStamp != Stamp) {
    Why = "written by another version or configuration";
    return false;
  }
  const json::Value *File = O->get("file"), *Error = O->get("error"),
                    *Findings = O->get("findings"), *Facts = O->get("facts");
  const json::Array *Reads = O->getArray("reads");
  const json::Array *Absent = O->getArray("absent");
  if (!File || !Error || !Findings || !Facts || !Reads || !Absent ||
      !bytesFromJSON(*File, Out.File) || !bytesFromJSON(*Error, Out.Error) ||
      !findingsFromJSON(*Findings, Out.Findings) ||
      !factsFromJSON(*Facts, Out.Facts)) {
    Why = "malformed entry";
    return false;
  }
  Out.Reads.clear();
  for (const json::Value &R : *Reads) {
    const json::Array *Pair = R.getAsArray();
    FileDigest D;
    std::optional<StringRef> Hex =
        Pair && Pair->size() == 2 ? (*Pair)[1].getAsString() : std::nullopt;
    if (!Hex || Hex->size() != 16 || !bytesFromJSON((*Pair)[0], D.Path) ||
        Hex->getAsInteger(16, D.Hash)) {
      Why = "malformed entry";
      return false;
    }
    Out.Reads.push_back(std::move(D));
  }
  Out.Absent.clear();
  for (const json::Value &A : *Absent) {
    std::string P;
    if (!bytesFromJSON(A, P)) {
      Why = "malformed entry";
      return false;
    }
    Out.Absent.push_back(std::move(P));
  }
  return true;
}

} // namespace tether
