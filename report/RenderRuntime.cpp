// The runtime part of the page: thread groups (pprof debug=1 buckets),
// deadlock cycles as wait-for graphs and a lifetime timeline, both inline SVG.
#include "Render.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace tether::report {

static void attr(std::string &Out, const char *Name, const std::string &V) {
  Out += ' ';
  Out += Name;
  Out += "=\"";
  appendEscaped(Out, V);
  Out += '"';
}

static std::string threadLabel(const Thread &T) {
  std::string S = "#" + std::to_string(T.Id);
  if (!T.Name.empty())
    S += " " + T.Name.substr(0, 40);
  return S;
}

void renderRuntimeSummary(std::string &Out, const Model &M, const Analysis &An) {
  if (M.Dumps.empty())
    return;
  std::map<std::string, size_t> ByState;
  size_t Leaks = 0, Total = 0;
  for (size_t D : An.Current) {
    for (const Thread &T : M.Dumps[D].Threads) {
      ++ByState[T.State];
      ++Total;
    }
    if (M.Dumps[D].Trigger == "exit-leaks")
      Leaks += M.Dumps[D].Threads.size();
  }
  Out += "<div class=\"card\"><h3>Runtime: <a href=\"#runtime\">" +
         std::to_string(Total) + " threads</a> in " +
         std::to_string(An.DumpsOfPid.size()) + " process" +
         (An.DumpsOfPid.size() == 1 ? "" : "es") + "</h3><ul class=\"first\">";
  Out += "<li" + std::string(An.Cycles.empty() ? "" : " class=\"bad\"") +
         "><a href=\"#cycles\">" + std::to_string(An.Cycles.size()) +
         " deadlock cycle" + (An.Cycles.size() == 1 ? "" : "s") + "</a></li>";
  Out += "<li" + std::string(Leaks ? " class=\"bad\"" : "") +
         "><a class=\"flt\" href=\"#runtime\" data-k=\"state\" data-v=\"leak\">" +
         std::to_string(Leaks) + " leaked thread" + (Leaks == 1 ? "" : "s") +
         " at exit</a></li>";
  size_t Stuck = 0;
  for (const Group &G : An.Groups)
    Stuck += G.State == "blocked";
  Out += "<li><a class=\"flt\" href=\"#runtime\" data-k=\"state\" "
         "data-v=\"blocked\">" +
         std::to_string(Stuck) + " stuck group" + (Stuck == 1 ? "" : "s") +
         "</a> (blocked threads with one stack and reason)</li></ul>";
  Out += "<table class=\"counts\"><caption>threads by state</caption>";
  for (auto &[State, N] : ByState) {
    Out += "<tr><td>";
    appendEscaped(Out, State);
    Out += "</td><td class=\"n\"><a class=\"flt\" href=\"#runtime\" "
           "data-k=\"state\"";
    attr(Out, "data-v", State);
    Out += ">" + std::to_string(N) + "</a></td></tr>";
  }
  Out += "</table><ol class=\"topgroups\">";
  for (size_t G = 0; G < An.Groups.size() && G < 5; ++G) {
    const Group &Gr = An.Groups[G];
    if (Gr.State != "blocked")
      break;
    Out += "<li><a href=\"#g" + std::to_string(G) + "\">" +
           std::to_string(Gr.Threads.size()) + " × ";
    appendEscaped(Out, Gr.Reason);
    Out += ", longest " + seconds(Gr.LongestNs) + "</a></li>";
  }
  Out += "</ol></div>";
}

// A cycle's wait-for graph: threads on a circle, an arrow from each waiter
// to the thread it waits for.
static void renderCycle(std::string &Out, const Model &M, const Analysis &An,
                        const Cycle &C, size_t K) {
  const Dump &D = M.Dumps[C.Dump];
  size_t N = C.Threads.size();
  double R = N <= 2 ? 90 : 60 + 25.0 * N;
  double W = 2 * R + 320, H = 2 * R + 80, Cx = W / 2, Cy = H / 2;
  Out += "<figure class=\"cycle\" id=\"cycle" + std::to_string(K) +
         "\"><figcaption>Cycle " + std::to_string(K + 1) + " (pid " +
         std::to_string(D.Pid) + "): " + std::to_string(N) +
         " threads wait for each other</figcaption>";
  Out += "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"" +
         std::to_string(int(W)) + "\" height=\"" + std::to_string(int(H)) +
         "\" viewBox=\"0 0 " + std::to_string(int(W)) + " " +
         std::to_string(int(H)) +
         "\"><defs><marker id=\"arr" + std::to_string(K) +
         "\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
         "markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\"/>"
         "</marker></defs>";
  auto Pos = [&](size_t I) {
    double A = -M_PI / 2 + 2 * M_PI * I / N;
    return std::pair{Cx + R * std::cos(A), Cy + R * std::sin(A)};
  };
  char B[256];
  for (size_t I = 0; I < N; ++I) {
    auto [X1, Y1] = Pos(I);
    auto [X2, Y2] = Pos((I + 1) % N);
    double Dx = X2 - X1, Dy = Y2 - Y1, L = std::sqrt(Dx * Dx + Dy * Dy);
    if (L < 1)
      L = 1;
    double S = 34 / L;
    // Bent to the left of the direction of travel, so that the two edges
    // of a two-thread cycle do not overlap.
    double Mx = (X1 + X2) / 2 + Dy / L * 40, My = (Y1 + Y2) / 2 - Dx / L * 40;
    std::snprintf(B, sizeof B,
                  "<path d=\"M%.1f,%.1f Q%.1f,%.1f %.1f,%.1f\" fill=\"none\" "
                  "class=\"edge\" marker-end=\"url(#arr%zu)\"/>",
                  X1 + Dx * S, Y1 + Dy * S, Mx, My, X2 - Dx * S, Y2 - Dy * S, K);
    Out += B;
    const Thread &T = D.Threads[C.Threads[I]];
    std::snprintf(B, sizeof B, "<text x=\"%.1f\" y=\"%.1f\" class=\"elabel\">",
                  Mx, My);
    Out += B;
    appendEscaped(Out, T.Reason.substr(0, 30));
    Out += "</text>";
  }
  for (size_t I = 0; I < N; ++I) {
    auto [X, Y] = Pos(I);
    const Thread &T = D.Threads[C.Threads[I]];
    auto G = An.GroupOf.find({C.Dump, C.Threads[I]});
    Out += "<a href=\"#g" + std::to_string(G == An.GroupOf.end() ? 0 : G->second) +
           "\">";
    std::snprintf(B, sizeof B,
                  "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"30\" class=\"node\"/>"
                  "<text x=\"%.1f\" y=\"%.1f\" class=\"nlabel\">",
                  X, Y, X, Y + 4);
    Out += B;
    appendEscaped(Out, threadLabel(T));
    Out += "</text></a>";
  }
  Out += "</svg><ol class=\"cyc\">";
  for (size_t I = 0; I < N; ++I) {
    const Thread &T = D.Threads[C.Threads[I]];
    const Thread &U = D.Threads[C.Threads[(I + 1) % N]];
    Out += "<li>";
    appendEscaped(Out, threadLabel(T));
    Out += " waits (";
    appendEscaped(Out, T.Reason);
    Out += ") for ";
    appendEscaped(Out, threadLabel(U));
    for (const Frame &F : T.Stack)
      if (!isLibraryFrame(F)) {
        Out += " at <code>";
        appendEscaped(Out, frameText(F));
        Out += "</code>";
        break;
      }
    Out += "</li>";
  }
  Out += "</ol></figure>";
}

// Threads of one process as bars from creation to exit (or the last dump),
// coloured by their state at each dump.
static void renderTimeline(std::string &Out, const Model &M, uint64_t Pid,
                           const std::vector<size_t> &Ds) {
  struct Row {
    uint64_t Start = 0, End = 0;
    std::string Name;
    std::vector<std::pair<uint64_t, std::string>> States; // dump time, state
  };
  std::map<uint64_t, Row> Rows;
  uint64_t T0 = UINT64_MAX, T1 = 0;
  for (size_t D : Ds) {
    const Dump &Du = M.Dumps[D];
    T1 = std::max(T1, Du.TimeUnixNs);
    for (const Thread &T : Du.Threads) {
      Row &R = Rows[T.Id];
      R.Start = T.StartUnixNs ? T.StartUnixNs : Du.TimeUnixNs;
      R.End = Du.TimeUnixNs;
      R.Name = threadLabel(T);
      R.States.push_back({Du.TimeUnixNs, T.State});
      T0 = std::min(T0, R.Start);
    }
  }
  if (Rows.empty() || T1 <= T0)
    return;
  const size_t MaxRows = 400;
  double W = 900, Left = 160, RowH = 14;
  size_t NRows = std::min(Rows.size(), MaxRows);
  double H = NRows * RowH + 30;
  double Scale = (W - Left - 10) / double(T1 - T0);
  Out += "<figure class=\"timeline\"><figcaption>Lifetime of the threads of pid " +
         std::to_string(Pid) + " over " + std::to_string(Ds.size()) +
         " dumps (" + seconds(T1 - T0) + ")";
  if (Rows.size() > MaxRows)
    Out += ", first " + std::to_string(MaxRows) + " of " +
           std::to_string(Rows.size()) + " threads";
  char B[256];
  std::snprintf(B, sizeof B,
                "</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" "
                "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">",
                W, H, W, H);
  Out += B;
  for (size_t D : Ds) {
    double X = Left + (M.Dumps[D].TimeUnixNs - T0) * Scale;
    std::snprintf(B, sizeof B,
                  "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%.0f\" "
                  "class=\"dumpline\"/>",
                  X, X, H - 16);
    Out += B;
  }
  size_t I = 0;
  for (auto &[Id, R] : Rows) {
    if (I >= MaxRows)
      break;
    double Y = 4 + I * RowH;
    std::snprintf(B, sizeof B, "<text x=\"0\" y=\"%.1f\" class=\"tl\">", Y + 10);
    Out += B;
    appendEscaped(Out, R.Name);
    Out += "</text>";
    uint64_t From = R.Start;
    for (auto &[At, State] : R.States) {
      if (At < From)
        continue;
      std::snprintf(B, sizeof B,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"10\" "
                    "class=\"st-",
                    Left + (From - T0) * Scale, Y, std::max(1.0, (At - From) * Scale));
      Out += B;
      for (char C : State)
        Out += std::isalnum(static_cast<unsigned char>(C)) ? C : '_';
      Out += "\"><title>";
      appendEscaped(Out, R.Name + ": " + State);
      Out += "</title></rect>";
      From = At;
    }
    ++I;
  }
  std::snprintf(B, sizeof B,
                "<text x=\"%.0f\" y=\"%.0f\" class=\"tl\">blocked</text>"
                "<rect x=\"%.0f\" y=\"%.0f\" width=\"10\" height=\"10\" class=\"st-blocked\"/>"
                "<text x=\"%.0f\" y=\"%.0f\" class=\"tl\">running</text>"
                "<rect x=\"%.0f\" y=\"%.0f\" width=\"10\" height=\"10\" class=\"st-running\"/>",
                Left + 14, H - 4, Left, H - 13, Left + 94, H - 4, Left + 80, H - 13);
  Out += B;
  Out += "</svg></figure>";
}

// The blocking episodes the dump's flight recorder kept: one row per
// thread, one bar per episode, up to the dump.
static void renderHistory(std::string &Out, const Dump &Du) {
  if (Du.History.empty())
    return;
  std::map<uint64_t, std::string> Names;
  for (const Episode &E : Du.History)
    Names[E.Thread] = "#" + std::to_string(E.Thread);
  for (auto &[Id, Name] : Du.HistoryNames) // threads that have exited
    if (Names.count(Id) && !Name.empty())
      Names[Id] = "#" + std::to_string(Id) + " " + Name;
  for (const Thread &T : Du.Threads)
    if (Names.count(T.Id))
      Names[T.Id] = threadLabel(T);
  uint64_t T0 = UINT64_MAX, T1 = Du.TimeUnixNs;
  for (const Episode &E : Du.History) {
    T0 = std::min(T0, E.FromUnixNs);
    T1 = std::max(T1, E.ToUnixNs);
  }
  if (T1 <= T0)
    T1 = T0 + 1;
  const size_t MaxRows = 400;
  std::map<uint64_t, size_t> Row;
  for (auto &[Id, Name] : Names)
    if (Row.size() < MaxRows)
      Row.emplace(Id, Row.size());
  double W = 900, Left = 160, RowH = 14;
  double H = Row.size() * RowH + 10;
  double Scale = (W - Left - 10) / double(T1 - T0);
  Out += "<figure class=\"history\"><figcaption>Blocking episodes of pid " +
         std::to_string(Du.Pid) + " before its dump by ";
  appendEscaped(Out, Du.Trigger);
  Out += " (flight recorder, last " + seconds(T1 - T0) + ")";
  if (Names.size() > MaxRows)
    Out += ", first " + std::to_string(MaxRows) + " of " + std::to_string(Names.size()) +
           " threads";
  char B[256];
  std::snprintf(B, sizeof B,
                "</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" "
                "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">",
                W, H, W, H);
  Out += B;
  for (auto &[Id, I] : Row) {
    std::snprintf(B, sizeof B, "<text x=\"0\" y=\"%.1f\" class=\"tl\">", 4 + I * RowH + 10);
    Out += B;
    appendEscaped(Out, Names[Id]);
    Out += "</text>";
  }
  for (const Episode &E : Du.History) {
    auto It = Row.find(E.Thread);
    if (It == Row.end())
      continue;
    std::snprintf(B, sizeof B,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"10\" "
                  "class=\"st-blocked%s\"><title>",
                  Left + (E.FromUnixNs - T0) * Scale, 4 + It->second * RowH,
                  std::max(1.0, (E.ToUnixNs - E.FromUnixNs) * Scale),
                  E.Ongoing ? " ongoing" : "");
    Out += B;
    appendEscaped(Out, Names[E.Thread] + ": " + E.Reason + ", " +
                           seconds(E.ToUnixNs - E.FromUnixNs) +
                           (E.Ongoing ? " (still blocked at the dump)" : ""));
    Out += "</title></rect>";
  }
  Out += "</svg></figure>";
}

static void renderGroup(std::string &Out, const Model &M, const Analysis &An,
                        size_t G) {
  const Group &Gr = An.Groups[G];
  const std::vector<Frame> &Stack = An.Stacks[Gr.Stack];
  const Frame *Top = nullptr;
  for (const Frame &F : Stack)
    if (!isLibraryFrame(F)) {
      Top = &F;
      break;
    }
  Out += "<details class=\"group\"";
  attr(Out, "id", "g" + std::to_string(G));
  attr(Out, "data-g", std::to_string(G));
  attr(Out, "data-state", Gr.Leak ? "leak" : Gr.State);
  attr(Out, "data-reason", Gr.Reason);
  if (!Gr.Findings.empty())
    Out += " data-rt=\"1\"";
  Out += "><summary><span class=\"count\">" + std::to_string(Gr.Threads.size()) +
         "</span> <span class=\"state st-" +
         std::string(Gr.State == "blocked" ? "blocked" : "other") + "\">";
  appendEscaped(Out, Gr.State);
  Out += "</span> <span class=\"reason\">";
  appendEscaped(Out, Gr.Reason);
  Out += "</span>";
  if (Gr.LongestNs)
    Out += " <span class=\"longest\">longest " + seconds(Gr.LongestNs) + "</span>";
  if (Gr.InCycle)
    Out += " <span class=\"badge bad\">deadlock</span>";
  if (Gr.Leak)
    Out += " <span class=\"badge bad\">leaked at exit</span>";
  if (!Gr.Findings.empty())
    Out += " <span class=\"badge rt\">finding</span>";
  Out += " <span class=\"top\">";
  appendEscaped(Out, Top ? frameText(*Top) : Stack.empty() ? "(no stack)"
                                                            : frameText(Stack[0]));
  Out += "</span></summary><div class=\"body\">";
  if (!Gr.Findings.empty()) {
    Out += "<p class=\"stuck\">points at ";
    for (size_t I = 0; I < Gr.Findings.size() && I < 20; ++I) {
      const Finding &F = M.Findings[Gr.Findings[I]];
      Out += "<a class=\"xl\" href=\"#f" + std::to_string(Gr.Findings[I]) + "\">";
      appendEscaped(Out, "[" + F.Check + "] " + fileLine(F.Primary.File, F.Primary.Line));
      Out += "</a> ";
    }
    Out += "</p>";
  }
  Out += "<ol class=\"stack\">";
  size_t Lib = 0;
  for (const Frame &F : Stack) {
    bool IsLib = isLibraryFrame(F);
    Lib += IsLib;
    Out += IsLib ? "<li class=\"fr lib\">" : "<li class=\"fr\">";
    if (F.Inlined)
      Out += "<span class=\"inl\">inlined</span> ";
    Out += "<span class=\"fn\">";
    appendEscaped(Out, F.Function.empty() ? "??" : F.Function);
    Out += "</span> <span class=\"loc\">";
    appendEscaped(Out, F.File.empty() ? F.Module : fileLine(F.File, F.Line));
    Out += "</span></li>";
  }
  Out += "</ol>";
  if (Lib)
    Out += "<p class=\"folded\"><label for=\"showlib\">" + std::to_string(Lib) +
           " library frame" + (Lib == 1 ? "" : "s") +
           " folded: show / hide</label></p>";
  const std::vector<Frame> &Cr = An.Stacks[Gr.CreatedBy];
  if (!Cr.empty()) {
    Out += "<p class=\"created\">created by <code>";
    appendEscaped(Out, frameText(Cr.front()));
    Out += "</code></p>";
  }
  Out += "<div class=\"threads\"><p>threads:";
  for (size_t I = 0; I < Gr.Threads.size() && I < 50; ++I) {
    Out += " ";
    appendEscaped(Out, threadLabel(M.Dumps[Gr.Threads[I].Dump].Threads[Gr.Threads[I].Index]));
    Out += I + 1 < Gr.Threads.size() ? "," : "";
  }
  if (Gr.Threads.size() > 50)
    Out += " …";
  Out += "</p></div></div></details>\n";
}

void renderRuntime(std::string &Out, const Model &M, const Analysis &An) {
  if (M.Dumps.empty())
    return;
  Out += "<section id=\"runtime\"><h2>Runtime threads</h2><p class=\"dumps\">";
  for (size_t D : An.Current) {
    const Dump &Du = M.Dumps[D];
    Out += "pid " + std::to_string(Du.Pid) + ": " +
           std::to_string(Du.Threads.size()) + " threads, dump by ";
    appendEscaped(Out, Du.Trigger);
    Out += " from <code>";
    appendEscaped(Out, Du.Input);
    Out += "</code>. ";
  }
  Out += "</p><section id=\"cycles\"><h3>Deadlock cycles (" +
         std::to_string(An.Cycles.size()) + ")</h3>";
  for (size_t K = 0; K < An.Cycles.size() && K < 50; ++K)
    renderCycle(Out, M, An, An.Cycles[K], K);
  Out += "</section>";
  for (auto &[Pid, Ds] : An.DumpsOfPid)
    if (Ds.size() > 1)
      renderTimeline(Out, M, Pid, Ds);
  for (size_t D : An.Current)
    renderHistory(Out, M.Dumps[D]);
  Out += "<h3>Thread groups (" + std::to_string(An.Groups.size()) +
         ") <label class=\"libbtn\" for=\"showlib\">library frames</label></h3>\n";
  for (size_t G = 0; G < An.Groups.size(); ++G)
    renderGroup(Out, M, An, G);
  Out += "</section>\n";
}

} // namespace tether::report
