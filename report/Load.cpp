// Reading check results and runtime dumps into the report's model.
#include "Model.h"
#include "BaselineFile.h"

#include <nlohmann/json.hpp>

#include <tuple>

namespace tether::report {

using nlohmann::json;

bool Frame::operator<(const Frame &O) const {
  return std::tie(Function, File, Line, Module, Inlined) <
         std::tie(O.Function, O.File, O.Line, O.Module, O.Inlined);
}
bool Frame::operator==(const Frame &O) const {
  return std::tie(Function, File, Line, Module, Inlined) ==
         std::tie(O.Function, O.File, O.Line, O.Module, O.Inlined);
}

// Length of the well-formed UTF-8 sequence at S[I], or 0.
static size_t utf8Len(const std::string &S, size_t I) {
  auto B = [&](size_t K) { return static_cast<unsigned char>(S[K]); };
  unsigned char C = B(I);
  if (C < 0x80)
    return 1;
  size_t N = C >= 0xC2 && C <= 0xDF ? 2 : C >= 0xE0 && C <= 0xEF ? 3
           : C >= 0xF0 && C <= 0xF4 ? 4 : 0;
  if (N == 0 || I + N > S.size())
    return 0;
  unsigned char C1 = B(I + 1);
  unsigned char Lo = 0x80, Hi = 0xBF;
  if (C == 0xE0) Lo = 0xA0;
  if (C == 0xED) Hi = 0x9F; // no surrogates
  if (C == 0xF0) Lo = 0x90;
  if (C == 0xF4) Hi = 0x8F;
  if (C1 < Lo || C1 > Hi)
    return 0;
  for (size_t K = 2; K < N; ++K)
    if ((B(I + K) & 0xC0) != 0x80)
      return 0;
  return N;
}

static int hexVal(char C) {
  if (C >= '0' && C <= '9') return C - '0';
  if (C >= 'a' && C <= 'f') return C - 'a' + 10;
  if (C >= 'A' && C <= 'F') return C - 'A' + 10;
  return -1;
}

// The code unit of a \uXXXX escape at S[I] ('\\'), or -1.
static int escapeUnit(const std::string &S, size_t I) {
  if (I + 6 > S.size() || S[I] != '\\' || S[I + 1] != 'u')
    return -1;
  int V = 0;
  for (size_t K = 2; K < 6; ++K) {
    int H = hexVal(S[I + K]);
    if (H < 0)
      return -1;
    V = V * 16 + H;
  }
  return V;
}

std::string sanitizeJsonText(const std::string &S) {
  std::string Out;
  Out.reserve(S.size());
  bool InString = false;
  for (size_t I = 0; I < S.size();) {
    size_t N = utf8Len(S, I);
    if (N == 0) {
      Out += "\xEF\xBF\xBD";
      ++I;
      continue;
    }
    char C = S[I];
    if (InString && C == '\\' && I + 1 < S.size()) {
      int U = escapeUnit(S, I);
      if (U >= 0xD800 && U <= 0xDBFF) {
        int L = escapeUnit(S, I + 6);
        if (L >= 0xDC00 && L <= 0xDFFF) {
          Out.append(S, I, 12);
          I += 12;
        } else {
          Out += "\\uFFFD";
          I += 6;
        }
        continue;
      }
      if (U >= 0xDC00 && U <= 0xDFFF) {
        Out += "\\uFFFD";
        I += 6;
        continue;
      }
      Out += C;
      ++I;
      if (utf8Len(S, I) == 1) { // the escaped character
        Out += S[I];
        ++I;
      }
      continue;
    }
    if (C == '"')
      InString = !InString;
    Out.append(S, I, N);
    I += N;
  }
  return Out;
}

bool splitJsonValues(const std::string &S, std::vector<std::string> &Values) {
  size_t I = 0;
  while (true) {
    while (I < S.size() && (S[I] == ' ' || S[I] == '\n' || S[I] == '\r' ||
                            S[I] == '\t'))
      ++I;
    if (I >= S.size())
      return true;
    size_t Start = I;
    int Depth = 0;
    bool InString = false;
    for (; I < S.size(); ++I) {
      char C = S[I];
      if (InString) {
        if (C == '\\')
          ++I;
        else if (C == '"')
          InString = false;
        continue;
      }
      if (C == '"')
        InString = true;
      else if (C == '{' || C == '[')
        ++Depth;
      else if (C == '}' || C == ']') {
        if (--Depth == 0) {
          ++I;
          break;
        }
      } else if (Depth == 0 && (C == ' ' || C == '\n' || C == '\t' || C == '\r'))
        break;
    }
    if (Depth != 0 || InString)
      return false;
    Values.push_back(S.substr(Start, I - Start));
  }
}

// Field readers that accept a missing or mistyped field as empty: the
// format allows new fields, and a field of the wrong type is not worth
// refusing a whole report for.
std::string clipText(const std::string &S, size_t Max) {
  if (S.size() <= Max)
    return S;
  size_t Cut = Max;
  while (Cut > 0 && (static_cast<unsigned char>(S[Cut]) & 0xC0) == 0x80)
    --Cut; // not inside a UTF-8 sequence
  return S.substr(0, Cut) + "… (" + std::to_string(S.size() - Cut) +
         " more bytes)";
}

static std::string str(const json &O, const char *K) {
  auto It = O.find(K);
  return It != O.end() && It->is_string()
             ? clipText(It->get_ref<const std::string &>(), MaxFieldBytes)
             : "";
}
static uint64_t num(const json &O, const char *K) {
  auto It = O.find(K);
  if (It == O.end())
    return 0;
  if (It->is_number_unsigned())
    return It->get<uint64_t>();
  if (It->is_number_integer())
    return It->get<int64_t>() < 0 ? 0 : It->get<int64_t>();
  if (It->is_number_float())
    return It->get<double>() < 0 ? 0 : static_cast<uint64_t>(It->get<double>());
  return 0;
}
static unsigned num32(const json &O, const char *K) {
  uint64_t V = num(O, K);
  return V > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<unsigned>(V);
}
static bool flag(const json &O, const char *K) {
  auto It = O.find(K);
  return It != O.end() && It->is_boolean() && It->get<bool>();
}
static const json &arr(const json &O, const char *K) {
  static const json Empty = json::array();
  auto It = O.find(K);
  return It != O.end() && It->is_array() ? *It : Empty;
}

static std::vector<Frame> frames(const json &A) {
  std::vector<Frame> Out;
  for (const json &F : A) {
    if (!F.is_object())
      continue;
    Frame Fr;
    Fr.Function = str(F, "function");
    Fr.File = str(F, "file");
    Fr.Module = str(F, "module");
    Fr.Line = num32(F, "line");
    Fr.Inlined = flag(F, "inlined");
    Out.push_back(std::move(Fr));
  }
  return Out;
}

static void loadCheck(const json &J, const std::string &Path, Model &M) {
  for (const json &F : arr(J, "findings")) {
    if (!F.is_object())
      continue;
    Finding X;
    X.Check = str(F, "check");
    X.Severity = str(F, "severity");
    X.Message = str(F, "message");
    X.Function = str(F, "function");
    X.Fingerprint = str(F, "fingerprint");
    X.Primary = {str(F, "file"), num32(F, "line"), num32(F, "column"), ""};
    // "threads" and the notes' "thread" are absent from older files: every
    // step is then the primary location's thread.
    std::vector<std::string> Threads;
    for (const json &T : arr(F, "threads"))
      Threads.push_back(T.is_string() ? T.get<std::string>() : std::string());
    for (const json &N : arr(F, "notes"))
      if (N.is_object()) {
        unsigned T = num32(N, "thread");
        std::string Label;
        if (T != 0)
          Label = T < Threads.size() && !Threads[T].empty()
                      ? Threads[T]
                      : "thread " + std::to_string(T + 1);
        X.Notes.push_back({str(N, "file"), num32(N, "line"), num32(N, "column"),
                           str(N, "message"), std::move(Label)});
      }
    for (const json &Fx : arr(F, "fixes"))
      if (Fx.is_object())
        X.Fixes.push_back({str(Fx, "file"), num32(Fx, "line"),
                           num32(Fx, "column"), num32(Fx, "end_line"),
                           num32(Fx, "end_column"), str(Fx, "replacement")});
    X.Input = Path;
    M.Findings.push_back(std::move(X));
  }
  for (const json &E : arr(J, "errors"))
    if (E.is_object())
      M.AnalysisErrors.push_back({str(E, "file"), str(E, "message")});
  for (const json &C : arr(J, "checks"))
    if (C.is_object()) {
      CheckDoc D{str(C, "id"), str(C, "summary"), str(C, "default_severity")};
      M.Checks.emplace(D.Id, D);
    }
}

static void loadDump(const json &J, const std::string &Path, Model &M) {
  Dump D;
  D.Input = Path;
  D.Pid = num(J, "pid");
  D.TimeUnixNs = num(J, "time_unix_ns");
  D.Trigger = str(J, "trigger");
  for (const json &T : arr(J, "threads")) {
    if (!T.is_object())
      continue;
    Thread X;
    X.Id = num(T, "id");
    X.Tid = num(T, "tid");
    X.ParentId = num(T, "parent_id");
    X.Name = str(T, "name");
    X.State = str(T, "state");
    X.Reason = str(T, "reason");
    X.InterceptedReason = str(T, "intercepted_reason");
    X.Object = str(T, "object");
    X.WaitNs = num(T, "wait_ns");
    X.StartUnixNs = num(T, "start_unix_ns");
    X.Timed = flag(T, "timed");
    X.Detached = flag(T, "detached");
    X.HeldBy = num(T, "held_by");
    X.JoinTarget = num(T, "join_target");
    auto L = T.find("labels");
    if (L != T.end() && L->is_object())
      for (auto It = L->begin(); It != L->end(); ++It)
        X.Labels.push_back(
            {clipText(It.key(), MaxFieldBytes),
             clipText(It->is_string() ? It->get<std::string>() : It->dump(),
                      MaxFieldBytes)});
    X.Stack = frames(arr(T, "stack"));
    X.CreatedBy = frames(arr(T, "created_by"));
    D.Threads.push_back(std::move(X));
  }
  // The flight recorder's events as blocking episodes: an unblock carries
  // when its episode began (monotonic), so one whose block left the ring is
  // still whole; a block without its unblock lasts until the dump.
  auto H = J.find("history");
  if (H != J.end() && H->is_object()) {
    std::map<uint64_t, size_t> Open; // thread -> its episode not yet ended
    for (const json &E : arr(*H, "events")) {
      if (!E.is_object())
        continue;
      std::string Kind = str(E, "kind");
      uint64_t Th = num(E, "thread"), At = num(E, "time_unix_ns");
      if (Kind == "thread name") {
        D.HistoryNames[Th] = str(E, "name");
      } else if (Kind == "block") {
        Open[Th] = D.History.size();
        D.History.push_back({Th, At, std::max(At, D.TimeUnixNs), str(E, "reason"), true});
      } else if (Kind == "unblock") {
        auto It = Open.find(Th);
        if (It != Open.end()) {
          D.History[It->second].ToUnixNs = At;
          D.History[It->second].Ongoing = false;
          Open.erase(It);
          continue;
        }
        uint64_t Mono = num(E, "time_ns"), Since = num(E, "since_ns");
        uint64_t Took = Since && Mono >= Since ? Mono - Since : 0;
        D.History.push_back({Th, At >= Took ? At - Took : 0, At, str(E, "reason"), false});
      }
    }
    std::sort(D.History.begin(), D.History.end(), [](const Episode &A, const Episode &B) {
      return std::tie(A.FromUnixNs, A.Thread, A.ToUnixNs) <
             std::tie(B.FromUnixNs, B.Thread, B.ToUnixNs);
    });
  }
  M.Dumps.push_back(std::move(D));
}

bool loadInput(const std::string &Path, const std::string &Text, Model &M,
               std::string &Error) {
  std::string Clean = sanitizeJsonText(Text);
  std::vector<std::string> Values;
  if (!splitJsonValues(Clean, Values) || Values.empty()) {
    Error = Values.empty() && Clean.find_first_not_of(" \t\r\n") ==
                                  std::string::npos
                ? "empty file"
                : "not valid JSON (truncated?)";
    return false;
  }
  std::vector<json> Docs;
  size_t Offset = 0;
  for (const std::string &V : Values) {
    try {
      Docs.push_back(json::parse(V));
    } catch (const json::parse_error &E) {
      Error = "not valid JSON: byte " + std::to_string(Offset + E.byte) +
              " of the value";
      return false;
    }
    Offset += V.size();
  }
  // Validate every value before adding any, so that a refused file adds
  // nothing to the report.
  for (const json &J : Docs) {
    if (!J.is_object()) {
      Error = "not a tether check JSON file or a runtime dump (not an object)";
      return false;
    }
    std::string Schema = str(J, "schema");
    if (!Schema.empty()) {
      if (Schema != "tether.threads/1") {
        Error = "unsupported schema '" + Schema.substr(0, 64) +
                "' (expected tether.threads/1)";
        return false;
      }
      if (!J.contains("threads") || !J["threads"].is_array()) {
        Error = "runtime dump without a 'threads' array";
        return false;
      }
      continue;
    }
    auto V = J.find("version");
    if (V != J.end() && J.contains("findings") && J["findings"].is_array()) {
      if (!V->is_number_integer() || V->get<int64_t>() != 1) {
        Error = "unsupported tether check JSON version (expected 1)";
        return false;
      }
      continue;
    }
    Error = "not a tether check JSON file (\"version\": 1 with \"findings\") "
            "or a runtime dump (\"schema\": \"tether.threads/1\")";
    return false;
  }
  for (const json &J : Docs) {
    if (J.contains("schema"))
      loadDump(J, Path, M);
    else
      loadCheck(J, Path, M);
  }
  M.Inputs.push_back(Path);
  return true;
}

bool loadBaseline(const std::string &Text, std::set<std::string> &Out,
                  std::string &Error) {
  // The same reader as `tether check --baseline` (support/BaselineFile.h).
  std::vector<std::string> Fingerprints;
  BaselineProblem P;
  if (!parseBaselineText(Text, Fingerprints, P)) {
    Error = (P.Line ? "line " + std::to_string(P.Line) + ", column " +
                          std::to_string(P.Column) + ": "
                    : std::string()) +
            "not a tether baseline: " + P.Message;
    return false;
  }
  Out.insert(Fingerprints.begin(), Fingerprints.end());
  return true;
}

void applyBaseline(Model &M, const std::set<std::string> &Fingerprints) {
  M.HasBaseline = true;
  for (Finding &F : M.Findings)
    F.Baseline = Fingerprints.count(F.Fingerprint) ? 1 : 0;
}

} // namespace tether::report
