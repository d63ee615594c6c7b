#include "Html.h"

#include <cstdint>
#include <cstring>

namespace tether::report {

void appendEscaped(std::string &Out, std::string_view T) {
  for (char C : T) {
    switch (C) {
    case '&': Out += "&amp;"; break;
    case '<': Out += "&lt;"; break;
    case '>': Out += "&gt;"; break;
    case '"': Out += "&quot;"; break;
    case '\'': Out += "&#39;"; break;
    case '\0': Out += "\xEF\xBF\xBD"; break;
    default: Out += C;
    }
  }
}

std::string escapeHtml(std::string_view T) {
  std::string Out;
  Out.reserve(T.size() + 16);
  appendEscaped(Out, T);
  return Out;
}

std::string escapeScriptJson(std::string_view J) {
  std::string Out;
  Out.reserve(J.size() + J.size() / 16);
  for (size_t I = 0; I < J.size(); ++I) {
    char C = J[I];
    if (C == '<')
      Out += "\\u003c";
    else if (C == '>')
      Out += "\\u003e";
    else if (C == '&')
      Out += "\\u0026";
    else if (C == '\xE2' && I + 2 < J.size() && J[I + 1] == '\x80' &&
             (J[I + 2] == '\xA8' || J[I + 2] == '\xA9')) {
      Out += J[I + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      I += 2;
    } else
      Out += C;
  }
  return Out;
}

std::string safeUrl(std::string_view U) {
  for (char C : U)
    if (static_cast<unsigned char>(C) < 0x20 || C == 0x7F)
      return "";
  size_t Colon = U.find(':');
  size_t Stop = U.find_first_of("/?#");
  if (Colon != std::string_view::npos && (Stop == std::string_view::npos || Colon < Stop)) {
    std::string Scheme;
    for (char C : U.substr(0, Colon))
      Scheme += static_cast<char>(C >= 'A' && C <= 'Z' ? C - 'A' + 'a' : C);
    if (Scheme != "http" && Scheme != "https" && Scheme != "file")
      return "";
  }
  return std::string(U);
}

std::string fileUrl(std::string_view P) {
  std::string Out = "file://";
  static const char *Hex = "0123456789ABCDEF";
  for (unsigned char C : P) {
    if ((C >= 'a' && C <= 'z') || (C >= 'A' && C <= 'Z') || (C >= '0' && C <= '9') ||
        C == '/' || C == '-' || C == '_' || C == '.' || C == '~')
      Out += static_cast<char>(C);
    else {
      Out += '%';
      Out += Hex[C >> 4];
      Out += Hex[C & 15];
    }
  }
  return Out;
}

namespace {
struct Sha256 {
  uint32_t H[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  static uint32_t rotr(uint32_t X, int N) { return (X >> N) | (X << (32 - N)); }
  void block(const unsigned char *P) {
    static const uint32_t K[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
        0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
        0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
        0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
        0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
    uint32_t W[64];
    for (int I = 0; I < 16; ++I)
      W[I] = uint32_t(P[4 * I]) << 24 | uint32_t(P[4 * I + 1]) << 16 |
             uint32_t(P[4 * I + 2]) << 8 | uint32_t(P[4 * I + 3]);
    for (int I = 16; I < 64; ++I) {
      uint32_t S0 = rotr(W[I - 15], 7) ^ rotr(W[I - 15], 18) ^ (W[I - 15] >> 3);
      uint32_t S1 = rotr(W[I - 2], 17) ^ rotr(W[I - 2], 19) ^ (W[I - 2] >> 10);
      W[I] = W[I - 16] + S0 + W[I - 7] + S1;
    }
    uint32_t A = H[0], B = H[1], C = H[2], D = H[3], E = H[4], F = H[5],
             G = H[6], Hh = H[7];
    for (int I = 0; I < 64; ++I) {
      uint32_t S1 = rotr(E, 6) ^ rotr(E, 11) ^ rotr(E, 25);
      uint32_t Ch = (E & F) ^ (~E & G);
      uint32_t T1 = Hh + S1 + Ch + K[I] + W[I];
      uint32_t S0 = rotr(A, 2) ^ rotr(A, 13) ^ rotr(A, 22);
      uint32_t Maj = (A & B) ^ (A & C) ^ (B & C);
      uint32_t T2 = S0 + Maj;
      Hh = G; G = F; F = E; E = D + T1; D = C; C = B; B = A; A = T1 + T2;
    }
    H[0] += A; H[1] += B; H[2] += C; H[3] += D;
    H[4] += E; H[5] += F; H[6] += G; H[7] += Hh;
  }
};
} // namespace

std::string sha256Base64(std::string_view Data) {
  Sha256 S;
  size_t Full = Data.size() / 64 * 64;
  for (size_t I = 0; I < Full; I += 64)
    S.block(reinterpret_cast<const unsigned char *>(Data.data()) + I);
  unsigned char Tail[128] = {0};
  size_t Rest = Data.size() - Full;
  std::memcpy(Tail, Data.data() + Full, Rest);
  Tail[Rest] = 0x80;
  size_t TailLen = Rest + 9 <= 64 ? 64 : 128;
  uint64_t Bits = uint64_t(Data.size()) * 8;
  for (int I = 0; I < 8; ++I)
    Tail[TailLen - 1 - I] = static_cast<unsigned char>(Bits >> (8 * I));
  for (size_t I = 0; I < TailLen; I += 64)
    S.block(Tail + I);
  unsigned char D[32];
  for (int I = 0; I < 8; ++I)
    for (int K = 0; K < 4; ++K)
      D[4 * I + K] = static_cast<unsigned char>(S.H[I] >> (24 - 8 * K));
  static const char *B64 =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string Out;
  for (int I = 0; I < 32; I += 3) {
    uint32_t V = uint32_t(D[I]) << 16 | (I + 1 < 32 ? uint32_t(D[I + 1]) << 8 : 0) |
                 (I + 2 < 32 ? D[I + 2] : 0);
    Out += B64[(V >> 18) & 63];
    Out += B64[(V >> 12) & 63];
    Out += I + 1 < 32 ? B64[(V >> 6) & 63] : '=';
    Out += I + 2 < 32 ? B64[V & 63] : '=';
  }
  return Out;
}

} // namespace tether::report
