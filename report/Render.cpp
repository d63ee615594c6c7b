// The page: head with its Content-Security-Policy, summary, findings, and
// the data the script draws excerpts and thread details from.
#include "Render.h"

#include "SafeIO.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <set>
#include <unistd.h>

namespace tether::report {

using nlohmann::json;

static std::string fixUtf8(const std::string &S) {
  // Source text is not JSON: only the bytes need fixing.
  std::string Out;
  json J = S;
  Out = J.dump(-1, ' ', false, json::error_handler_t::replace);
  return json::parse(Out).get<std::string>();
}

const std::string *Sources::line(const std::string &File, unsigned N) {
  auto It = Files.find(File);
  if (It == Files.end()) {
    std::vector<std::string> Lines;
    std::string Path = File.empty() || File[0] == '/' || Root.empty()
                           ? File
                           : Root + "/" + File;
    std::string Text, Error;
    if (!File.empty() && readInputFile(Path, 16u << 20, Text, Error)) {
      Text = fixUtf8(Text);
      size_t Start = 0;
      while (Start <= Text.size()) {
        size_t End = Text.find('\n', Start);
        if (End == std::string::npos) {
          if (Start < Text.size())
            Lines.push_back(Text.substr(Start));
          break;
        }
        Lines.push_back(Text.substr(Start, End - Start));
        Start = End + 1;
      }
      for (std::string &L : Lines)
        if (!L.empty() && L.back() == '\r')
          L.pop_back();
    }
    It = Files.emplace(File, std::move(Lines)).first;
  }
  if (N == 0 || N > It->second.size())
    return nullptr;
  return &It->second[N - 1];
}

std::string seconds(uint64_t Ns) {
  char B[32];
  std::snprintf(B, sizeof B, "%.1f s", Ns / 1e9);
  return B;
}

std::string fileLine(const std::string &File, unsigned Line) {
  return Line ? File + ":" + std::to_string(Line) : File;
}

std::string frameText(const Frame &F) {
  std::string S = F.Function.empty() ? "??" : F.Function;
  if (!F.File.empty())
    S += " " + fileLine(F.File, F.Line);
  return S;
}

static std::string dirOf(const std::string &File) {
  size_t Slash = File.rfind('/');
  return Slash == std::string::npos ? "." : Slash == 0 ? "/" : File.substr(0, Slash);
}

static bool validCheckId(const std::string &Id) {
  if (Id.empty() || Id.size() > 100)
    return false;
  for (char C : Id)
    if (!((C >= 'a' && C <= 'z') || (C >= '0' && C <= '9') || C == '-'))
      return false;
  return true;
}

std::string defaultDocsBase() {
  const char *Dirs[] = {
#ifdef TETHER_REPORT_INSTALLED_DOCS
      TETHER_REPORT_INSTALLED_DOCS,
#endif
#ifdef TETHER_REPORT_SOURCE_DOCS
      TETHER_REPORT_SOURCE_DOCS,
#endif
  };
  for (const char *D : Dirs)
    if (D && *D && access(D, R_OK) == 0)
      return fileUrl(D);
  return "";
}

static void attr(std::string &Out, const char *Name, const std::string &V) {
  Out += ' ';
  Out += Name;
  Out += "=\"";
  appendEscaped(Out, V);
  Out += '"';
}

// Counts, each a link to the filtered view.
static void countTable(std::string &Out, const char *Title, const char *Key,
                       const std::map<std::string, size_t> &Counts,
                       size_t Limit = 50) {
  Out += "<table class=\"counts\"><caption>";
  Out += Title;
  Out += "</caption>";
  std::vector<std::pair<std::string, size_t>> V(Counts.begin(), Counts.end());
  std::stable_sort(V.begin(), V.end(),
                   [](auto &A, auto &B) { return A.second > B.second; });
  size_t Shown = 0;
  for (auto &[Name, N] : V) {
    if (++Shown > Limit) {
      Out += "<tr><td colspan=\"2\">… " + std::to_string(V.size() - Limit) +
             " more</td></tr>";
      break;
    }
    Out += "<tr><td>";
    appendEscaped(Out, Name.empty() ? "(none)" : Name);
    Out += "</td><td class=\"n\"><a class=\"flt\"";
    attr(Out, "href", "#findings");
    attr(Out, "data-k", Key);
    attr(Out, "data-v", Name);
    Out += ">" + std::to_string(N) + "</a></td></tr>";
  }
  Out += "</table>";
}

static void renderSummary(std::string &Out, const Model &M, const Analysis &An) {
  Out += "<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">";
  std::map<std::string, size_t> ByCheck, BySev, ByDir, ByNew;
  for (const Finding &F : M.Findings) {
    ++ByCheck[F.Check];
    ++BySev[F.Severity];
    ++ByDir[dirOf(F.Primary.File)];
    if (F.Baseline >= 0)
      ++ByNew[F.Baseline ? "known" : "new"];
  }
  Out += "<div class=\"card\"><h3>Findings: <a href=\"#findings\">" +
         std::to_string(M.Findings.size()) + "</a></h3>";
  if (M.HasBaseline) {
    Out += "<p>";
    for (const char *K : {"new", "known"}) {
      Out += "<a class=\"flt\" href=\"#findings\" data-k=\"base\"";
      attr(Out, "data-v", K);
      Out += ">" + std::to_string(ByNew[K]) + " " + K + "</a> ";
    }
    Out += "(baseline)</p>";
  }
  if (!M.AnalysisErrors.empty())
    Out += "<p class=\"warn\"><a href=\"#inputs\">" +
           std::to_string(M.AnalysisErrors.size()) +
           " inputs could not be analysed</a>: the results are incomplete</p>";
  countTable(Out, "by check", "check", ByCheck);
  countTable(Out, "by severity", "sev", BySev);
  countTable(Out, "by directory", "dir", ByDir, 30);
  Out += "</div>";
  renderRuntimeSummary(Out, M, An);
  Out += "</div></section>";
}

// A location's line of source, for the no-script view of the path.
static void sourceLine(std::string &Out, Sources &Src, const Location &L) {
  if (const std::string *Text = Src.line(L.File, L.Line)) {
    Out += "<code class=\"src\">";
    appendEscaped(Out, Text->substr(0, 400));
    Out += "</code>";
  }
}

static void locLink(std::string &Out, const Location &L) {
  Out += "<span class=\"loc\">";
  appendEscaped(Out, fileLine(L.File, L.Line));
  if (L.Column)
    Out += ":" + std::to_string(L.Column);
  Out += "</span>";
}

// A fix-it as a diff of the lines it touches.
static void renderFix(std::string &Out, Sources &Src, const FixIt &F) {
  Out += "<pre class=\"diff\"><span class=\"dh\">--- ";
  appendEscaped(Out, fileLine(F.File, F.Line));
  Out += "</span>\n";
  unsigned EndLine = F.EndLine ? F.EndLine : F.Line;
  std::string Old, New;
  bool Have = F.Line && EndLine >= F.Line && EndLine - F.Line < 50;
  for (unsigned L = F.Line; Have && L <= EndLine; ++L) {
    const std::string *T = Src.line(F.File, L);
    if (!T) {
      Have = false;
      break;
    }
    Old += *T + (L < EndLine ? "\n" : "");
  }
  if (Have) {
    // Columns are 1-based bytes; the end is exclusive.
    size_t Start = F.Column ? F.Column - 1 : 0;
    size_t LastStart = Old.rfind('\n') == std::string::npos ? 0 : Old.rfind('\n') + 1;
    size_t End = F.EndColumn ? LastStart + F.EndColumn - 1 : Start;
    if (Start > Old.size() || End > Old.size() || End < Start)
      Have = false;
    else
      New = Old.substr(0, Start) + F.Replacement + Old.substr(End);
  }
  auto Lines = [&](const std::string &T, const char *Cls, char Sign) {
    size_t S = 0;
    while (true) {
      size_t E = T.find('\n', S);
      Out += "<span class=\"";
      Out += Cls;
      Out += "\">";
      Out += Sign;
      appendEscaped(Out, T.substr(S, E == std::string::npos ? std::string::npos : E - S));
      Out += "</span>\n";
      if (E == std::string::npos)
        break;
      S = E + 1;
    }
  };
  if (Have) {
    Lines(Old, "del", '-');
    Lines(New, "add", '+');
  } else {
    Out += "replace " + std::to_string(F.Line) + ":" + std::to_string(F.Column) +
           "–" + std::to_string(F.EndLine) + ":" + std::to_string(F.EndColumn) +
           " with\n";
    Lines(F.Replacement, "add", '+');
  }
  Out += "</pre>";
}

// The values the findings are filtered by. A finding carries the index of
// each of its values as a class (k: check, s: severity, d: directory,
// b: baseline), so that the script filters with one class on the list and
// one CSS rule, and no input text ever goes into a selector. The values are
// JSON in the list's data-facets attribute.
struct Facets {
  static constexpr const char *Keys[] = {"check", "sev", "dir", "base"};
  static constexpr char Prefix[] = {'k', 's', 'd', 'b'};
  std::map<std::string, size_t> Index[4];
  std::vector<std::string> Values[4];
  size_t id(int K, const std::string &V) {
    auto [It, New] = Index[K].emplace(V, Values[K].size());
    if (New)
      Values[K].push_back(V);
    return It->second;
  }
  std::string json() const {
    nlohmann::json J = nlohmann::json::object();
    for (int K = 0; K < 4; ++K)
      J[Keys[K]] = Values[K];
    return J.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
};

static void renderFinding(std::string &Out, const Model &M, const Analysis &An,
                          Sources &Src, Facets &Fc, const std::string &Docs,
                          size_t I) {
  const Finding &F = M.Findings[I];
  Out += "<details class=\"finding";
  std::string Vals[4] = {F.Check, F.Severity, dirOf(F.Primary.File),
                         F.Baseline < 0 ? "" : F.Baseline ? "known" : "new"};
  for (int K = 0; K < 4; ++K)
    if (K < 3 || F.Baseline >= 0) {
      Out += ' ';
      Out += Facets::Prefix[K];
      Out += std::to_string(Fc.id(K, Vals[K]));
    }
  Out += '"';
  attr(Out, "id", "f" + std::to_string(I));
  if (!An.FindingThreads[I].empty())
    Out += " data-rt=\"1\"";
  Out += "><summary><span class=\"sev sev-";
  appendEscaped(Out, F.Severity);
  Out += "\">";
  appendEscaped(Out, F.Severity);
  Out += "</span> ";
  if (F.Baseline == 0)
    Out += "<span class=\"badge new\">new</span> ";
  Out += "<span class=\"msg\">";
  appendEscaped(Out, F.Message);
  Out += "</span> ";
  locLink(Out, F.Primary);
  Out += " <span class=\"chk\">[";
  appendEscaped(Out, F.Check);
  Out += "]</span>";
  const auto &Threads = An.FindingThreads[I];
  if (!Threads.empty())
    Out += " <span class=\"badge rt\">run time</span>";
  Out += "</summary><div class=\"body\"><p class=\"meta\">";
  if (!F.Function.empty()) {
    Out += "in <code>";
    appendEscaped(Out, F.Function);
    Out += "</code> · ";
  }
  auto C = M.Checks.find(F.Check);
  if (C != M.Checks.end() && !C->second.Summary.empty()) {
    appendEscaped(Out, C->second.Summary);
    Out += " ";
  }
  std::string Url = validCheckId(F.Check) && !Docs.empty()
                        ? safeUrl(Docs + "/" + F.Check + ".md")
                        : "";
  if (!Url.empty()) {
    Out += "<a class=\"doc\" rel=\"noopener noreferrer\"";
    attr(Out, "href", Url);
    Out += ">check documentation</a>";
  }
  if (!F.Fingerprint.empty()) {
    Out += " · fingerprint <code>";
    appendEscaped(Out, F.Fingerprint);
    Out += "</code>";
  }
  Out += "</p>";
  if (!Threads.empty()) {
    uint64_t Longest = 0;
    size_t Blocked = 0;
    std::set<size_t> Groups;
    for (const ThreadRef &R : Threads) {
      const Thread &T = M.Dumps[R.Dump].Threads[R.Index];
      if (T.State == "blocked") {
        ++Blocked;
        Longest = std::max(Longest, T.WaitNs);
      }
      Groups.insert(An.GroupOf.at(R));
    }
    if (Blocked)
      Out += "<p class=\"stuck\">seen stuck at run time: " +
             std::to_string(Blocked) + (Blocked == 1 ? " thread" : " threads") +
             ", longest " + seconds(Longest);
    else
      Out += "<p class=\"stuck\">seen at run time: " +
             std::to_string(Threads.size()) +
             (Threads.size() == 1 ? " thread" : " threads") +
             " created here, none blocked";
    if (Blocked && Blocked != Threads.size())
      Out += " (" + std::to_string(Threads.size() - Blocked) +
             " more created here, not blocked)";
    Out += " —";
    for (size_t G : Groups)
      Out += " <a class=\"xl\" href=\"#g" + std::to_string(G) + "\">group " +
             std::to_string(G + 1) + "</a>";
    Out += "</p>";
  }
  Out += "<ol class=\"path\"><li class=\"primary\"><span class=\"mk\">!</span> ";
  locLink(Out, F.Primary);
  Out += " <span class=\"pm\">";
  appendEscaped(Out, F.Message);
  Out += "</span>";
  sourceLine(Out, Src, F.Primary);
  Out += "</li>";
  for (size_t N = 0; N < F.Notes.size(); ++N) {
    Out += "<li><span class=\"mk\">" + std::to_string(N + 1) + "</span> ";
    locLink(Out, F.Notes[N]);
    Out += " <span class=\"pm\">";
    appendEscaped(Out, F.Notes[N].Message);
    Out += "</span>";
    if (!F.Notes[N].Thread.empty()) {
      Out += " <span class=\"th\">(in the ";
      appendEscaped(Out, F.Notes[N].Thread);
      Out += ")</span>";
    }
    sourceLine(Out, Src, F.Notes[N]);
    Out += "</li>";
  }
  Out += "</ol><div class=\"excerpts\"></div>";
  for (const FixIt &Fx : F.Fixes)
    renderFix(Out, Src, Fx);
  Out += "</div></details>\n";
}

// Data for the script: deduplicated source lines around every location
// (excerpts) and the thread details of each group. Per file, the lines are
// runs [first line number, text...]; per thread, the fields that vary
// within a group (state and reason are the group's), with the creation
// site as an index into "created".
static std::string pageData(const Model &M, const Analysis &An, Sources &Src) {
  json Files = json::array(), Fs = json::array();
  std::vector<std::map<unsigned, std::string>> Lines;
  std::map<std::string, size_t> FileIdx;
  auto FileId = [&](const std::string &F) {
    auto [It, New] = FileIdx.emplace(F, Files.size());
    if (New) {
      Files.push_back(F);
      Lines.emplace_back();
    }
    return It->second;
  };
  const unsigned Ctx = 2;
  auto Need = [&](const Location &L) {
    size_t Id = FileId(L.File);
    for (unsigned N = L.Line > Ctx ? L.Line - Ctx : 1; N <= L.Line + Ctx; ++N)
      if (!Lines[Id].count(N))
        if (const std::string *T = Src.line(L.File, N))
          Lines[Id].emplace(N, T->substr(0, 2000));
    return Id;
  };
  for (const Finding &F : M.Findings) {
    json Locs = json::array();
    Locs.push_back({Need(F.Primary), F.Primary.Line, F.Primary.Column});
    for (const Location &N : F.Notes)
      Locs.push_back({Need(N), N.Line, N.Column});
    Fs.push_back(std::move(Locs));
  }
  json Src2 = json::array();
  for (auto &L : Lines) {
    json Runs = json::array();
    unsigned Prev = 0;
    for (auto &[N, T] : L) {
      if (Runs.empty() || N != Prev + 1)
        Runs.push_back(json::array({N}));
      Runs.back().push_back(T);
      Prev = N;
    }
    Src2.push_back(std::move(Runs));
  }
  json Created = json::array();
  std::map<std::string, size_t> CreatedIdx;
  json Groups = json::array();
  for (size_t G = 0; G < An.Groups.size(); ++G) {
    json Ts = json::array();
    for (const ThreadRef &R : An.Groups[G].Threads) {
      const Dump &D = M.Dumps[R.Dump];
      const Thread &T = D.Threads[R.Index];
      json Labels = json::array();
      for (auto &[K, V] : T.Labels)
        Labels.push_back({K, V});
      long Cr = -1;
      if (!T.CreatedBy.empty()) {
        auto [It, New] = CreatedIdx.emplace(frameText(T.CreatedBy.front()), Created.size());
        if (New)
          Created.push_back(It->first);
        Cr = static_cast<long>(It->second);
      }
      Ts.push_back({T.Id, T.Tid, T.Name,
                    T.InterceptedReason == T.Reason ? "" : T.InterceptedReason,
                    T.WaitNs, T.ParentId, T.HeldBy, T.JoinTarget,
                    T.Detached ? 1 : 0, T.Timed ? 1 : 0, T.Object, Labels, Cr,
                    D.Pid});
    }
    Groups.push_back({An.Groups[G].State, An.Groups[G].Reason, std::move(Ts)});
  }
  // Thread → findings, per thread of each group.
  std::map<ThreadRef, size_t> PosInGroup;
  for (const Group &G : An.Groups)
    for (size_t I = 0; I < G.Threads.size(); ++I)
      PosInGroup[G.Threads[I]] = I;
  for (size_t F = 0; F < An.FindingThreads.size(); ++F)
    for (const ThreadRef &R : An.FindingThreads[F]) {
      json &T = Groups[An.GroupOf.at(R)][2][PosInGroup.at(R)];
      if (T.size() < 15)
        T.push_back(json::array());
      T[14].push_back(F);
    }
  json Data = {{"files", Files}, {"src", Src2}, {"f", Fs},
               {"groups", Groups}, {"created", Created}};
  return escapeScriptJson(
      Data.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::string ReportJsText() { return ReportJs; }

std::string renderPage(const Model &M, const Options &O) {
  Analysis An = analyze(M);
  Sources Src(O.SourceRoot);
  std::string Docs = O.DocsBase.empty() ? defaultDocsBase() : O.DocsBase;
  std::string Script = ReportJs;
  std::string Out;
  Out.reserve(1 << 20);
  Out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
         "'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-" +
         sha256Base64(Script) +
         "'; base-uri 'none'; form-action 'none'\">\n"
         "<meta name=\"referrer\" content=\"no-referrer\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"generator\" content=\"tether report\">\n<title>";
  appendEscaped(Out, O.Title);
  Out += "</title>\n<style>";
  Out += ReportCss;
  Out += "</style></head>\n<body>\n<input type=\"checkbox\" id=\"showlib\" "
         "class=\"toggle\" aria-label=\"show library frames\">\n<header><h1>";
  appendEscaped(Out, O.Title);
  Out += "</h1><p class=\"inputs\">";
  for (size_t I = 0; I < M.Inputs.size(); ++I) {
    Out += I ? ", " : "from ";
    Out += "<code>";
    appendEscaped(Out, M.Inputs[I]);
    Out += "</code>";
  }
  Out += "</p><div id=\"toolbar\" hidden>"
         "<input id=\"q\" type=\"search\" placeholder=\"search: check, file, "
         "function, message, thread… ( / )\" autocomplete=\"off\">"
         "<select id=\"fcheck\"><option value=\"\">all checks</option></select>"
         "<select id=\"fsev\"><option value=\"\">all severities</option></select>"
         "<select id=\"fstate\"><option value=\"\">all thread states</option></select>"
         "<button id=\"clear\" type=\"button\">clear</button>"
         "<span id=\"shown\"></span>"
         "<span class=\"keys\">j/k next/previous · o open · / search</span>"
         "</div></header>\n<main>\n";
  renderSummary(Out, M, An);
  Out += "\n<section id=\"findings\"";
  size_t FacetsAt = Out.size();
  Out += "><h2>Findings (" + std::to_string(M.Findings.size()) + ")</h2>\n";
  if (M.Findings.empty())
    Out += "<p>No findings.</p>";
  // Many findings go in chunks of a hundred: the browser skips the style
  // and layout of the chunks out of view (content-visibility), filtered or
  // not. A short list stays whole (skipped content has no innerText).
  Facets Fc;
  bool Chunked = M.Findings.size() > 200;
  for (size_t I = 0; I < M.Findings.size(); ++I) {
    if (Chunked && I % 100 == 0)
      Out += I ? "</div>\n<div class=\"chunk\">\n" : "<div class=\"chunk\">\n";
    renderFinding(Out, M, An, Src, Fc, Docs, I);
  }
  if (Chunked)
    Out += "</div>";
  Out += "</section>\n";
  renderRuntime(Out, M, An);
  if (!M.AnalysisErrors.empty()) {
    Out += "<section id=\"inputs\"><h2>Inputs not analysed</h2><ul>";
    for (auto &[File, Msg] : M.AnalysisErrors) {
      Out += "<li><code>";
      appendEscaped(Out, File);
      Out += "</code>: ";
      appendEscaped(Out, Msg);
      Out += "</li>";
    }
    Out += "</ul></section>";
  }
  {
    std::string A;
    attr(A, "data-facets", Fc.json());
    Out.insert(FacetsAt, A);
  }
  Out += "</main>\n<script type=\"application/json\" id=\"tether-data\">";
  Out += pageData(M, An, Src);
  Out += "</script>\n<script>";
  Out += Script;
  Out += "</script>\n</body></html>\n";
  return Out;
}

} // namespace tether::report
