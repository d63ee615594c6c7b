// Parts of the output layer shared by every format: fingerprints, baseline
// filtering and the path helpers the writers use.
#include "Output.h"
#include "OutputDetail.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace tether {
namespace output_detail {

// llvm::json requires UTF-8; source lines and paths need not be.
llvm::json::Value jsonString(llvm::StringRef S) {
  if (llvm::json::isUTF8(S))
    return S.str();
  return llvm::json::fixUTF8(S);
}

std::string normalizeAnchor(llvm::StringRef Text) {
  std::string Out;
  Out.reserve(Text.size());
  bool PendingSpace = false;
  for (char C : Text) {
    if (C == ' ' || C == '\t' || C == '\n' || C == '\r' || C == '\v' ||
        C == '\f') {
      PendingSpace = !Out.empty();
      continue;
    }
    if (PendingSpace)
      Out.push_back(' ');
    PendingSpace = false;
    Out.push_back(C);
  }
  return Out;
}

static std::string cleanPath(llvm::StringRef P) {
  llvm::SmallString<256> S(P);
  llvm::sys::path::remove_dots(S, /*remove_dot_dot=*/true);
  return std::string(S.str());
}

// Rel receives File relative to Root with forward slashes when File lies
// inside Root (and is not Root itself).
bool relativeToRoot(const std::string &File, const std::string &Root,
                    std::string &Rel) {
  if (Root.empty() || File.empty() || !llvm::sys::path::is_absolute(File))
    return false;
  std::string F = cleanPath(File), R = cleanPath(Root);
  while (R.size() > 1 && llvm::sys::path::is_separator(R.back()))
    R.pop_back();
  if (F.size() <= R.size() || llvm::StringRef(F).substr(0, R.size()) != R)
    return false;
  if (!llvm::sys::path::is_separator(F[R.size()]) &&
      !llvm::sys::path::is_separator(R.back()))
    return false;
  size_t Start = R.size();
  while (Start < F.size() && llvm::sys::path::is_separator(F[Start]))
    ++Start;
  if (Start == F.size())
    return false;
  Rel = llvm::sys::path::convert_to_slash(llvm::StringRef(F).substr(Start));
  return true;
}

std::string displayPath(const std::string &File, const std::string &Root) {
  std::string Rel;
  if (relativeToRoot(File, Root, Rel) && Rel.size() < File.size())
    return Rel;
  return File;
}

} // namespace output_detail

using output_detail::normalizeAnchor;

void assignFingerprints(std::vector<Finding> &Findings) {
  // Findings sharing (check, function, anchor) are numbered in an order that
  // depends only on where they are, not on the order the driver merged them.
  using Key = std::tuple<std::string, std::string, std::string>;
  std::map<Key, std::vector<size_t>> Groups;
  for (size_t I = 0; I < Findings.size(); ++I) {
    const Finding &F = Findings[I];
    Groups[Key(F.CheckId, F.Function, normalizeAnchor(F.AnchorText))]
        .push_back(I);
  }
  for (auto &[K, Members] : Groups) {
    std::sort(Members.begin(), Members.end(), [&](size_t A, size_t B) {
      const Finding &FA = Findings[A], &FB = Findings[B];
      return std::tie(FA.Where.File, FA.Where.Line, FA.Where.Column,
                      FA.Message, A) < std::tie(FB.Where.File, FB.Where.Line,
                                                FB.Where.Column, FB.Message, B);
    });
    for (size_t Occurrence = 0; Occurrence < Members.size(); ++Occurrence) {
      std::string Data;
      llvm::raw_string_ostream S(Data);
      // Lengths make the encoding unambiguous whatever the fields contain.
      for (const std::string *Field :
           {&std::get<0>(K), &std::get<1>(K), &std::get<2>(K)})
        S << Field->size() << ':' << *Field << ';';
      S << Occurrence;
      S.flush();
      uint64_t H = llvm::xxh3_64bits(llvm::StringRef(Data));
      std::string Hex;
      llvm::raw_string_ostream(Hex) << llvm::format_hex_no_prefix(H, 16);
      Findings[Members[Occurrence]].Fingerprint = std::move(Hex);
    }
  }
}

size_t applyBaseline(std::vector<Finding> &Findings,
                     const std::vector<std::string> &Fingerprints) {
  std::set<std::string> Known(Fingerprints.begin(), Fingerprints.end());
  size_t Before = Findings.size();
  Findings.erase(std::remove_if(Findings.begin(), Findings.end(),
                                [&](const Finding &F) {
                                  return !F.Fingerprint.empty() &&
                                         Known.count(F.Fingerprint);
                                }),
                 Findings.end());
  return Before - Findings.size();
}

} // namespace tether
