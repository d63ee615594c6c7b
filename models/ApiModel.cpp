#include "ApiModel.h"
#include "ApiModelYAML.h"

#include "Limits.h"
#include "SafeIO.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include <algorithm>
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLTraits.h"
#include "llvm/Support/raw_ostream.h"

using namespace tether;



namespace tether {

std::string invalidGlobs(const std::vector<std::string> &Patterns) {
  for (const std::string &P : Patterns)
    if (auto G = llvm::GlobPattern::create(P); !G) {
      std::string Why = llvm::toString(G.takeError());
      return "'" + P + "' is not a valid name pattern: " + Why;
    }
  return "";
}

bool matchesAnyGlob(const std::vector<std::string> &Patterns,
                    const std::string &Name) {
  for (const std::string &P : Patterns) {
    if (P == Name)
      return true;
    if (auto G = llvm::GlobPattern::create(P)) {
      if (G->match(Name))
        return true;
    } else {
      llvm::consumeError(G.takeError());
    }
  }
  return false;
}

void yamlErrorHandler(const llvm::SMDiagnostic &D, void *Ctx) {
  auto *Sink = static_cast<YamlErrorSink *>(Ctx);
  Sink->Failed = true;
  *Sink->Out << D.getFilename() << ":" << D.getLineNo() << ":"
             << (D.getColumnNo() + 1) << ": error: " << D.getMessage() << "\n";
}

bool checkYamlInput(llvm::StringRef Text, llvm::StringRef FileName,
                    llvm::raw_ostream &Err) {
  TextProblem P;
  if (checkYamlText(std::string_view(Text.data(), Text.size()),
                    MaxNestingDepth, P))
    return true;
  Err << FileName << ":" << P.Line << ":" << P.Column << ": error: "
      << P.Message << "\n";
  return false;
}

bool readYamlFile(const std::string &Path, llvm::StringRef What,
                  std::string &Text, llvm::raw_ostream &Err) {
  std::string Why;
  if (readInputFile(Path, MaxConfigBytes, Text, Why))
    return true;
  Err << Path << ": error: cannot read " << What << ": " << Why << "\n";
  return false;
}

std::optional<ApiModel> parseModel(const std::string &Text,
                                   const std::string &FileName,
                                   llvm::raw_ostream &Err) {
  if (!checkYamlInput(Text, FileName, Err))
    return std::nullopt;
  YamlErrorSink Sink{&Err};
  llvm::yaml::Input In(llvm::MemoryBufferRef(Text, FileName), nullptr,
                       yamlErrorHandler, &Sink);
  ApiModel M;
  In >> M;
  if (In.error() || Sink.Failed) {
    if (!Sink.Failed)
      Err << FileName << ": error: malformed model\n";
    return std::nullopt;
  }
  M.Origin = FileName;
  return M;
}

const ReceiveClosedModel *
ChannelModel::closedForm(const std::string &Method) const {
  for (const ReceiveClosedModel &R : ReceiveClosed)
    for (const auto &M : R.Methods)
      if (M == Method)
        return &R;
  return nullptr;
}

void ModelSet::add(ApiModel M) {
  Models.push_back(std::move(M));
  index(Models.back());
}

bool ModelSet::addBuiltins(llvm::raw_ostream &Err) {
  bool Ok = true;
  for (const auto &[Name, Text] : builtinModelSources()) {
    if (auto M = parseModel(Text, "<builtin>/" + Name, Err))
      add(std::move(*M));
    else
      Ok = false;
  }
  return Ok;
}

void ModelSet::index(const ApiModel &M) {
  size_t MI = Models.size() - 1;
  // Later models (the user's) override earlier ones (built-ins) for the same
  // name: users can correct a built-in model.
  for (size_t I = 0; I < M.Channels.size(); ++I)
    for (const auto &T : M.Channels[I].Types)
      ChannelByType[T] = {MI, I};
  for (size_t I = 0; I < M.Spawns.size(); ++I) {
    const auto &S = M.Spawns[I];
    if (!S.Type.empty())
      SpawnByType[S.Type] = {MI, I};
    if (!S.Function.empty())
      SpawnByFunction[S.Function] = {MI, I};
  }
  for (size_t I = 0; I < M.Futures.size(); ++I)
    FutureByType[M.Futures[I].Type] = {MI, I};
  for (size_t I = 0; I < M.Cancellation.Sources.size(); ++I)
    SourceByType[M.Cancellation.Sources[I].Type] = {MI, I};
  for (size_t I = 0; I < M.Cancellation.Tokens.size(); ++I)
    TokenByType[M.Cancellation.Tokens[I].Type] = {MI, I};
  for (const auto &T : M.Cancellation.Callbacks)
    CallbackTypes[T] = true;
  for (size_t I = 0; I < M.Locks.size(); ++I) {
    for (const auto &T : M.Locks[I].Mutexes)
      LockByMutex[T] = {MI, I};
    for (const auto &G : M.Locks[I].Guards)
      LockByGuard[G] = {MI, I};
  }
  for (size_t I = 0; I < M.Blocking.size(); ++I) {
    const auto &B = M.Blocking[I];
    if (!B.Function.empty())
      BlockingByFunction[B.Function] = {MI, I};
    else
      BlockingByType[B.Type].push_back({MI, I});
  }
  for (const LockModel &L : M.Locks) {
    for (const auto &T : L.DeferTags)
      LockTags[T] = LockTag::Defer;
    for (const auto &T : L.TryTags)
      LockTags[T] = LockTag::Try;
    for (const auto &T : L.AdoptTags)
      LockTags[T] = LockTag::Adopt;
    // A guard's try_lock answers "do you hold it now?" as owns_lock does.
    for (const auto *Names : {&L.Owns, &L.TryLock})
      for (const auto &N : *Names)
        OwnsQueries[N] = true;
  }
  const ConventionsModel &C = M.Conventions;
  const std::vector<std::string> *Lists[] = {
      &C.Insert,  &C.Emplace,     &C.ElementAccess, &C.Observe,
      &C.Unwrap,  &C.Wait,        &C.Size,          &C.Remove,
      &C.Resize,  &C.RangeInsert, &C.End,           &C.Minimum,
      &C.InputReads, &C.Factories, &C.Wake};
  static_assert(std::size(Lists) ==
                    static_cast<size_t>(Convention::Wake) + 1,
                "one list per Convention, in its order");
  ConventionGlobs.resize(std::size(Lists));
  for (size_t K = 0; K < std::size(Lists); ++K)
    for (const std::string &P : *Lists[K]) {
      // Patterns were validated when the model was read.
      if (auto G = llvm::GlobPattern::create(P))
        ConventionGlobs[K].push_back(std::move(*G));
      else
        llvm::consumeError(G.takeError());
    }
  for (size_t I = 0; I < M.SmartPointers.size(); ++I) {
    const SmartPointerModel &P = M.SmartPointers[I];
    for (const auto &T : P.Types)
      SmartByType[T] = {MI, I};
    for (const auto &F : P.Make)
      SmartFactories[F] = {{MI, I}, false};
    for (const auto &F : P.Allocate)
      SmartFactories[F] = {{MI, I}, true};
  }
  const AtomicsModel &A = M.Atomics;
  for (const auto &T : A.Types)
    AtomicTypes[T] = true;
  for (const auto &T : A.Flags)
    AtomicTypes[T] = AtomicFlags[T] = true;
  for (const auto &[Names, Globs] : {std::pair{&A.Set, &AtomicSet},
                                     std::pair{&A.Update, &AtomicUpdate},
                                     std::pair{&A.Read, &AtomicRead},
                                     std::pair{&A.Claim, &AtomicClaim},
                                     std::pair{&A.Step, &AtomicStep}})
    for (const std::string &P : *Names) {
      if (auto G = llvm::GlobPattern::create(P))
        Globs->push_back(std::move(*G));
      else
        llvm::consumeError(G.takeError());
    }
  for (const auto &P : A.FunctionPrefixes)
    AtomicPrefixes.push_back(P);
  // atomic_flag_clear is the flag's clear, not atomic_'s "flag_clear".
  std::stable_sort(AtomicPrefixes.begin(), AtomicPrefixes.end(),
                   [](const std::string &X, const std::string &Y) {
                     return X.size() > Y.size();
                   });
  const UtilitiesModel &U = M.Utilities;
  for (const auto &[Names, Index] :
       {std::pair{&U.ReferenceWrappers, &ReferenceWrappers},
        std::pair{&U.ForEach, &ForEach},
        std::pair{&U.FixedSizeContainers, &FixedSize},
        std::pair{&U.StreamBases, &StreamBases},
        std::pair{&U.CoreCounts, &CoreCounts},
        std::pair{&U.Optionals, &Optionals},
        std::pair{&U.Durations, &Durations},
        std::pair{&U.TimePoints, &TimePoints}})
    for (const auto &N : *Names)
      (*Index)[N] = true;
}



// Index position -> item, or null when the name is not modelled.
template <typename T>
static const T *find(const std::map<std::string, ModelSet::Pos> &Index,
                     const std::string &Name,
                     const std::vector<ApiModel> &Models,
                     const std::vector<T> ApiModel::*Items) {
  auto It = Index.find(Name);
  return It == Index.end() ? nullptr
                           : &(Models[It->second.Model].*Items)[It->second.Item];
}

const ChannelModel *ModelSet::channelForType(const std::string &Q) const {
  return find(ChannelByType, Q, Models, &ApiModel::Channels);
}
const SpawnModel *ModelSet::spawnForType(const std::string &Q) const {
  return find(SpawnByType, Q, Models, &ApiModel::Spawns);
}
const SpawnModel *ModelSet::spawnForFunction(const std::string &Q) const {
  return find(SpawnByFunction, Q, Models, &ApiModel::Spawns);
}
const FutureModel *ModelSet::futureForType(const std::string &Q) const {
  return find(FutureByType, Q, Models, &ApiModel::Futures);
}
const LockModel *ModelSet::lockForMutexType(const std::string &Q) const {
  return find(LockByMutex, Q, Models, &ApiModel::Locks);
}
const CancelSourceModel *
ModelSet::cancelSourceForType(const std::string &Q) const {
  auto It = SourceByType.find(Q);
  return It == SourceByType.end()
             ? nullptr
             : &Models[It->second.Model].Cancellation.Sources[It->second.Item];
}
const CancelTokenModel *
ModelSet::cancelTokenForType(const std::string &Q) const {
  auto It = TokenByType.find(Q);
  return It == TokenByType.end()
             ? nullptr
             : &Models[It->second.Model].Cancellation.Tokens[It->second.Item];
}
bool ModelSet::isCancelCallbackType(const std::string &Q) const {
  return CallbackTypes.count(Q) != 0;
}
bool ModelSet::isLockGuardType(const std::string &Q) const {
  return LockByGuard.count(Q) != 0;
}
const LockModel *ModelSet::lockForGuardType(const std::string &Q) const {
  return find(LockByGuard, Q, Models, &ApiModel::Locks);
}
const BlockingModel *
ModelSet::blockingForFunction(const std::string &Q) const {
  return find(BlockingByFunction, Q, Models, &ApiModel::Blocking);
}
const BlockingModel *
ModelSet::arriveForMethod(const std::string &Type,
                          const std::string &Method) const {
  auto It = BlockingByType.find(Type);
  if (It == BlockingByType.end())
    return nullptr;
  for (const Pos &P : It->second) {
    const BlockingModel &B = Models[P.Model].Blocking[P.Item];
    for (const auto &M : B.Arrive)
      if (M == Method)
        return &B;
  }
  return nullptr;
}

const BlockingModel *
ModelSet::blockingForMethod(const std::string &Type,
                            const std::string &Method) const {
  auto It = BlockingByType.find(Type);
  if (It == BlockingByType.end())
    return nullptr;
  for (const Pos &P : It->second) {
    const BlockingModel &B = Models[P.Model].Blocking[P.Item];
    for (const auto &M : B.Methods)
      if (M == Method)
        return &B;
  }
  return nullptr;
}

std::vector<const BlockingModel *>
ModelSet::blockingForType(const std::string &Type) const {
  std::vector<const BlockingModel *> Out;
  auto It = BlockingByType.find(Type);
  if (It != BlockingByType.end())
    for (const Pos &P : It->second)
      Out.push_back(&Models[P.Model].Blocking[P.Item]);
  return Out;
}

ModelSet::LockTag ModelSet::lockTagForType(const std::string &Q) const {
  auto It = LockTags.find(Q);
  return It == LockTags.end() ? LockTag::None : It->second;
}
bool ModelSet::isGuardOwnsQuery(const std::string &Method) const {
  return OwnsQueries.count(Method) != 0;
}
static bool matchesAny(const std::vector<llvm::GlobPattern> &Globs,
                       const std::string &Name) {
  for (const auto &G : Globs)
    if (G.match(Name))
      return true;
  return false;
}
bool ModelSet::follows(Convention C, const std::string &Method) const {
  size_t K = static_cast<size_t>(C);
  return K < ConventionGlobs.size() && matchesAny(ConventionGlobs[K], Method);
}
const SmartPointerModel *
ModelSet::smartPointerForType(const std::string &Q) const {
  return find(SmartByType, Q, Models, &ApiModel::SmartPointers);
}
const SmartPointerModel *
ModelSet::smartPointerFactory(const std::string &Q, bool *Allocates) const {
  auto It = SmartFactories.find(Q);
  if (It == SmartFactories.end())
    return nullptr;
  if (Allocates)
    *Allocates = It->second.second;
  const Pos &P = It->second.first;
  return &Models[P.Model].SmartPointers[P.Item];
}
bool ModelSet::isReferenceWrapperFunction(const std::string &Q) const {
  return ReferenceWrappers.count(Q) != 0;
}
bool ModelSet::isForEachFunction(const std::string &Q) const {
  return ForEach.count(Q) != 0;
}
bool ModelSet::isFixedSizeContainer(const std::string &Q) const {
  return FixedSize.count(Q) != 0;
}
bool ModelSet::isStreamBase(const std::string &Q) const {
  return StreamBases.count(Q) != 0;
}
bool ModelSet::isCoreCountFunction(const std::string &Q) const {
  return CoreCounts.count(Q) != 0;
}
bool ModelSet::isOptionalType(const std::string &Q) const {
  return Optionals.count(Q) != 0;
}
bool ModelSet::isDurationType(const std::string &Q) const {
  return Durations.count(Q) != 0;
}
bool ModelSet::isTimePointType(const std::string &Q) const {
  return TimePoints.count(Q) != 0;
}
bool ModelSet::isAtomicType(const std::string &Q) const {
  return AtomicTypes.count(Q) != 0;
}
bool ModelSet::isAtomicFlagType(const std::string &Q) const {
  return AtomicFlags.count(Q) != 0;
}
ModelSet::AtomicWrite ModelSet::atomicMethod(const std::string &Method) const {
  if (matchesAny(AtomicSet, Method))
    return AtomicWrite::Set;
  if (matchesAny(AtomicUpdate, Method))
    return AtomicWrite::Update;
  return AtomicWrite::None;
}
bool ModelSet::isAtomicRead(const std::string &Method) const {
  return matchesAny(AtomicRead, Method);
}
bool ModelSet::isAtomicClaim(const std::string &Method) const {
  return matchesAny(AtomicClaim, Method);
}
bool ModelSet::isAtomicStep(const std::string &Method) const {
  return matchesAny(AtomicStep, Method);
}
ModelSet::AtomicWrite ModelSet::atomicFunction(const std::string &Q) const {
  for (const std::string &P : AtomicPrefixes) {
    llvm::StringRef N(Q);
    if (!N.consume_front(P))
      continue;
    return atomicMethod(N.split("_explicit").first.str());
  }
  return AtomicWrite::None;
}

} // namespace tether
