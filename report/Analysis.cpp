#include "Analysis.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace tether::report {

static bool startsWith(const std::string &S, const char *P) {
  return S.rfind(P, 0) == 0;
}

bool isLibraryFrame(const Frame &F) {
  if (F.File.empty())
    return true;
  return startsWith(F.File, "/usr/") || startsWith(F.File, "/lib/") ||
         startsWith(F.File, "/lib64/") || startsWith(F.File, "/opt/") ||
         startsWith(F.File, "./nptl/") || startsWith(F.File, "../sysdeps/");
}

static bool endsWithComponent(const std::string &Long, const std::string &Short) {
  if (Short.empty() || Long.size() <= Short.size())
    return false;
  return Long.compare(Long.size() - Short.size(), Short.size(), Short) == 0 &&
         Long[Long.size() - Short.size() - 1] == '/';
}

bool samePath(const std::string &A, const std::string &B) {
  if (A.empty() || B.empty())
    return false;
  return A == B || endsWithComponent(A, B) || endsWithComponent(B, A);
}

static int stackId(Analysis &An, std::map<std::vector<Frame>, int> &Index,
                   const std::vector<Frame> &S) {
  auto [It, New] = Index.emplace(S, static_cast<int>(An.Stacks.size()));
  if (New)
    An.Stacks.push_back(S);
  return It->second;
}

Analysis analyze(const Model &M) {
  Analysis An;
  std::map<std::vector<Frame>, int> Index;
  for (size_t D = 0; D < M.Dumps.size(); ++D)
    An.DumpsOfPid[M.Dumps[D].Pid].push_back(D);
  for (auto &[Pid, Ds] : An.DumpsOfPid) {
    std::stable_sort(Ds.begin(), Ds.end(), [&](size_t A, size_t B) {
      return M.Dumps[A].TimeUnixNs < M.Dumps[B].TimeUnixNs;
    });
    // The latest dump shows the process; a leak report at exit is shown
    // next to it (its threads are the leaks).
    An.Current.push_back(Ds.back());
    for (size_t D : Ds)
      if (D != Ds.back() && M.Dumps[D].Trigger == "exit-leaks")
        An.Current.push_back(D);
  }
  std::sort(An.Current.begin(), An.Current.end());

  // Deadlock cycles: a blocked thread waits for the owner of its mutex or
  // the thread it joins; each thread waits for at most one other.
  std::set<ThreadRef> InCycle;
  for (size_t D : An.Current) {
    const Dump &Du = M.Dumps[D];
    std::map<uint64_t, size_t> ById;
    for (size_t I = 0; I < Du.Threads.size(); ++I)
      ById[Du.Threads[I].Id] = I;
    auto Next = [&](size_t I) -> long {
      const Thread &T = Du.Threads[I];
      if (T.State != "blocked")
        return -1;
      uint64_t To = T.HeldBy ? T.HeldBy : T.JoinTarget;
      auto It = To ? ById.find(To) : ById.end();
      return It == ById.end() ? -1 : static_cast<long>(It->second);
    };
    std::vector<int> Color(Du.Threads.size(), 0); // 0 new, 1 on path, 2 done
    for (size_t S = 0; S < Du.Threads.size(); ++S) {
      std::vector<size_t> Path;
      long I = static_cast<long>(S);
      while (I >= 0 && Color[I] == 0) {
        Color[I] = 1;
        Path.push_back(I);
        I = Next(I);
      }
      if (I >= 0 && Color[I] == 1) {
        Cycle C{D, {}};
        auto It = std::find(Path.begin(), Path.end(), static_cast<size_t>(I));
        C.Threads.assign(It, Path.end());
        for (size_t T : C.Threads)
          InCycle.insert({D, T});
        An.Cycles.push_back(std::move(C));
      }
      for (size_t P : Path)
        Color[P] = 2;
    }
  }

  // Groups: identical (stack, reason, state), as pprof's debug=1.
  std::map<std::tuple<int, std::string, std::string, bool>, size_t> Keys;
  for (size_t D : An.Current) {
    const Dump &Du = M.Dumps[D];
    bool Leak = Du.Trigger == "exit-leaks";
    for (size_t I = 0; I < Du.Threads.size(); ++I) {
      const Thread &T = Du.Threads[I];
      int S = stackId(An, Index, T.Stack);
      auto Key = std::make_tuple(S, T.Reason, T.State, Leak);
      auto [It, New] = Keys.emplace(Key, An.Groups.size());
      if (New) {
        Group G;
        G.Stack = S;
        G.CreatedBy = stackId(An, Index, T.CreatedBy);
        G.State = T.State;
        G.Reason = T.Reason;
        G.Leak = Leak;
        An.Groups.push_back(std::move(G));
      }
      Group &G = An.Groups[It->second];
      G.Threads.push_back({D, I});
      G.LongestNs = std::max(G.LongestNs, T.WaitNs);
      G.InCycle |= InCycle.count({D, I}) > 0;
    }
  }
  auto Rank = [](const Group &G) {
    return G.InCycle ? 0 : G.Leak ? 1 : G.State == "blocked" ? 2 : 3;
  };
  std::stable_sort(An.Groups.begin(), An.Groups.end(),
                   [&](const Group &A, const Group &B) {
                     if (Rank(A) != Rank(B))
                       return Rank(A) < Rank(B);
                     if (A.Threads.size() != B.Threads.size())
                       return A.Threads.size() > B.Threads.size();
                     return A.LongestNs > B.LongestNs;
                   });
  for (size_t G = 0; G < An.Groups.size(); ++G)
    for (const ThreadRef &R : An.Groups[G].Threads)
      An.GroupOf[R] = G;

  // Cross-links: index the findings' locations by line.
  std::map<unsigned, std::vector<std::pair<const std::string *, size_t>>> ByLine;
  for (size_t F = 0; F < M.Findings.size(); ++F) {
    const Finding &Fi = M.Findings[F];
    ByLine[Fi.Primary.Line].push_back({&Fi.Primary.File, F});
    for (const Location &N : Fi.Notes)
      ByLine[N.Line].push_back({&N.File, F});
  }
  An.FindingThreads.resize(M.Findings.size());
  std::vector<std::set<size_t>> GroupFindings(An.Groups.size());
  for (size_t D : An.Current) {
    const Dump &Du = M.Dumps[D];
    for (size_t I = 0; I < Du.Threads.size(); ++I) {
      const Thread &T = Du.Threads[I];
      std::set<size_t> Hit;
      auto Match = [&](const Frame &Fr) {
        if (Fr.Line == 0 || Fr.File.empty())
          return;
        auto It = ByLine.find(Fr.Line);
        if (It == ByLine.end())
          return;
        for (auto &[File, F] : It->second)
          if (samePath(*File, Fr.File))
            Hit.insert(F);
      };
      if (T.State == "blocked")
        for (const Frame &Fr : T.Stack)
          Match(Fr);
      // The creation site: the first frame of the creation stack that is
      // not library code (std::thread's constructor may precede it).
      for (const Frame &Fr : T.CreatedBy)
        if (!isLibraryFrame(Fr)) {
          Match(Fr);
          break;
        }
      for (size_t F : Hit) {
        An.FindingThreads[F].push_back({D, I});
        GroupFindings[An.GroupOf[{D, I}]].insert(F);
      }
    }
  }
  for (size_t G = 0; G < An.Groups.size(); ++G)
    An.Groups[G].Findings.assign(GroupFindings[G].begin(), GroupFindings[G].end());
  return An;
}

} // namespace tether::report
