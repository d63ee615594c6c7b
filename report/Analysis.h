// What the page shows beyond its inputs: threads grouped by (stack, reason),
// deadlock cycles, and the cross-links between findings and threads.
#pragma once

#include "Model.h"

#include <map>
#include <string>
#include <vector>

namespace tether::report {

struct ThreadRef {
  size_t Dump = 0, Index = 0;
  bool operator<(const ThreadRef &O) const {
    return Dump != O.Dump ? Dump < O.Dump : Index < O.Index;
  }
  bool operator==(const ThreadRef &O) const {
    return Dump == O.Dump && Index == O.Index;
  }
};

struct Group {
  std::vector<ThreadRef> Threads;
  int Stack = -1, CreatedBy = -1; // ids in Analysis::Stacks (creation: first thread's)
  std::string State, Reason;
  uint64_t LongestNs = 0;
  bool Leak = false, InCycle = false;
  std::vector<size_t> Findings; // indices into Model::Findings
};

struct Cycle {
  size_t Dump = 0;
  std::vector<size_t> Threads; // indices into the dump's threads, in wait order
};

struct Analysis {
  std::vector<std::vector<Frame>> Stacks; // deduplicated
  std::vector<size_t> Current;            // latest dump of each process
  std::vector<Group> Groups;              // cycles, leaks, blocked, rest
  std::map<ThreadRef, size_t> GroupOf;
  std::vector<Cycle> Cycles;
  // Per finding: the threads of the current dumps that were created on or
  // are blocked in a line the finding points to.
  std::vector<std::vector<ThreadRef>> FindingThreads;
  std::map<uint64_t, std::vector<size_t>> DumpsOfPid; // in time order
};

// Library frames are folded by default: no file, or a system path.
bool isLibraryFrame(const Frame &F);

// Same file: equal, or one is the other with a leading directory part
// (a finding's path is relative to the source root, a frame's absolute).
bool samePath(const std::string &A, const std::string &B);

Analysis analyze(const Model &M);

} // namespace tether::report
