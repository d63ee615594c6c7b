#include "ApiModel.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLTraits.h"
#include "llvm/Support/raw_ostream.h"

using namespace tether;
using llvm::yaml::IO;

namespace llvm::yaml {

template <> struct ScalarEnumerationTraits<DoubleClose> {
  static void enumeration(IO &Io, DoubleClose &V) {
    Io.enumCase(V, "harmless", DoubleClose::Harmless);
    Io.enumCase(V, "error", DoubleClose::Error);
    Io.enumCase(V, "panic", DoubleClose::Panic);
    Io.enumCase(V, "ub", DoubleClose::UB);
  }
};
template <> struct ScalarEnumerationTraits<SendAfterClose> {
  static void enumeration(IO &Io, SendAfterClose &V) {
    Io.enumCase(V, "status", SendAfterClose::Status);
    Io.enumCase(V, "returns_false", SendAfterClose::ReturnsFalse);
    Io.enumCase(V, "throws", SendAfterClose::Throws);
    Io.enumCase(V, "ub", SendAfterClose::UB);
    Io.enumCase(V, "dropped", SendAfterClose::Dropped);
  }
};
template <> struct ScalarEnumerationTraits<OnDestruction> {
  static void enumeration(IO &Io, OnDestruction &V) {
    Io.enumCase(V, "nothing", OnDestruction::Nothing);
    Io.enumCase(V, "terminate_if_joinable", OnDestruction::Terminate);
    Io.enumCase(V, "join", OnDestruction::Join);
    Io.enumCase(V, "request_stop_and_join", OnDestruction::RequestStopAndJoin);
  }
};

template <> struct MappingTraits<ChannelModel> {
  static void mapping(IO &Io, ChannelModel &C) {
    Io.mapRequired("types", C.Types);
    Io.mapOptional("send", C.Send);
    Io.mapOptional("receive", C.Receive);
    Io.mapOptional("try_send", C.TrySend);
    Io.mapOptional("try_receive", C.TryReceive);
    Io.mapOptional("timed_send", C.TimedSend);
    Io.mapOptional("timed_receive", C.TimedReceive);
    Io.mapOptional("close", C.Close);
    Io.mapOptional("is_closed", C.IsClosed);
    Io.mapOptional("is_open", C.IsOpen);
    Io.mapOptional("receiver_cancel", C.ReceiverCancel);
    Io.mapOptional("range", C.Range, false);
    Io.mapOptional("closes_on_destruction", C.ClosesOnDestruction, false);
    Io.mapOptional("bounded", C.Bounded, false);
    Io.mapOptional("capacity_arg", C.CapacityArg, -1);
    Io.mapOptional("double_close", C.OnDoubleClose, DoubleClose::Harmless);
    Io.mapOptional("send_after_close", C.OnSendAfterClose,
                   SendAfterClose::Status);
  }
  static std::string validate(IO &, ChannelModel &C) {
    if (C.Types.empty())
      return "a channel model needs at least one entry in 'types'";
    if (C.Send.empty() && C.Receive.empty() && C.Close.empty())
      return "a channel model needs at least one of 'send', 'receive', "
             "'close'";
    return "";
  }
};

template <> struct MappingTraits<CancelSourceModel> {
  static void mapping(IO &Io, CancelSourceModel &S) {
    Io.mapRequired("type", S.Type);
    Io.mapOptional("request", S.Request);
    Io.mapOptional("get_token", S.GetToken);
  }
};
template <> struct MappingTraits<CancelTokenModel> {
  static void mapping(IO &Io, CancelTokenModel &T) {
    Io.mapRequired("type", T.Type);
    Io.mapOptional("query", T.Query);
  }
};
template <> struct MappingTraits<InterruptibleWaitModel> {
  static void mapping(IO &Io, InterruptibleWaitModel &W) {
    Io.mapRequired("type", W.Type);
    Io.mapRequired("methods", W.Methods);
  }
};
template <> struct MappingTraits<CancellationModel> {
  static void mapping(IO &Io, CancellationModel &C) {
    Io.mapOptional("sources", C.Sources);
    Io.mapOptional("tokens", C.Tokens);
    Io.mapOptional("interruptible_waits", C.InterruptibleWaits);
    Io.mapOptional("interruption_points", C.InterruptionPoints);
  }
};

template <> struct MappingTraits<SpawnModel> {
  static void mapping(IO &Io, SpawnModel &S) {
    Io.mapOptional("type", S.Type);
    Io.mapOptional("function", S.Function);
    Io.mapOptional("methods", S.Methods);
    Io.mapOptional("callable_arg", S.CallableArg, -1);
    Io.mapOptional("join", S.Join);
    Io.mapOptional("detach", S.Detach);
    Io.mapOptional("interrupt", S.Interrupt);
    Io.mapOptional("on_destruction", S.Destruction, OnDestruction::Nothing);
    Io.mapOptional("passes_stop_token", S.PassesStopToken, false);
    Io.mapOptional("returns", S.Returns);
  }
  static std::string validate(IO &, SpawnModel &S) {
    if (S.Type.empty() == S.Function.empty())
      return "a spawn model names exactly one of 'type' and 'function'";
    return "";
  }
};

template <> struct MappingTraits<FutureModel> {
  static void mapping(IO &Io, FutureModel &F) {
    Io.mapRequired("type", F.Type);
    Io.mapOptional("wait", F.Wait);
    Io.mapOptional("timed_wait", F.TimedWait);
    Io.mapOptional("blocks_on_destruction", F.BlocksOnDestruction, false);
  }
};

template <> struct MappingTraits<LockModel> {
  static void mapping(IO &Io, LockModel &L) {
    Io.mapOptional("mutexes", L.Mutexes);
    Io.mapOptional("lock", L.Lock);
    Io.mapOptional("unlock", L.Unlock);
    Io.mapOptional("try_lock", L.TryLock);
    Io.mapOptional("shared_lock", L.SharedLock);
    Io.mapOptional("shared_unlock", L.SharedUnlock);
    Io.mapOptional("guards", L.Guards);
  }
};

template <> struct MappingTraits<BlockingModel> {
  static void mapping(IO &Io, BlockingModel &B) {
    Io.mapOptional("type", B.Type);
    Io.mapOptional("function", B.Function);
    Io.mapOptional("methods", B.Methods);
    Io.mapRequired("reason", B.Reason);
  }
  static std::string validate(IO &, BlockingModel &B) {
    if (B.Type.empty() == B.Function.empty())
      return "a blocking model names exactly one of 'type' and 'function'";
    if (!B.Type.empty() && B.Methods.empty())
      return "a blocking model with 'type' needs 'methods'";
    return "";
  }
};

template <> struct MappingTraits<ApiModel> {
  static void mapping(IO &Io, ApiModel &M) {
    Io.mapRequired("library", M.Library);
    Io.mapOptional("description", M.Description);
    Io.mapOptional("channels", M.Channels);
    Io.mapOptional("cancellation", M.Cancellation);
    Io.mapOptional("spawns", M.Spawns);
    Io.mapOptional("futures", M.Futures);
    Io.mapOptional("locks", M.Locks);
    Io.mapOptional("blocking", M.Blocking);
  }
};

} // namespace llvm::yaml

LLVM_YAML_IS_SEQUENCE_VECTOR(ChannelModel)
LLVM_YAML_IS_SEQUENCE_VECTOR(CancelSourceModel)
LLVM_YAML_IS_SEQUENCE_VECTOR(CancelTokenModel)
LLVM_YAML_IS_SEQUENCE_VECTOR(InterruptibleWaitModel)
LLVM_YAML_IS_SEQUENCE_VECTOR(SpawnModel)
LLVM_YAML_IS_SEQUENCE_VECTOR(FutureModel)
LLVM_YAML_IS_SEQUENCE_VECTOR(LockModel)
LLVM_YAML_IS_SEQUENCE_VECTOR(BlockingModel)

namespace tether {

namespace {
struct DiagSink {
  llvm::raw_ostream *Out;
  bool Failed = false;
};
void diagHandler(const llvm::SMDiagnostic &D, void *Ctx) {
  auto *Sink = static_cast<DiagSink *>(Ctx);
  Sink->Failed = true;
  *Sink->Out << D.getFilename() << ":" << D.getLineNo() << ":"
             << (D.getColumnNo() + 1) << ": error: " << D.getMessage() << "\n";
}
} // namespace

std::optional<ApiModel> parseModel(const std::string &Text,
                                   const std::string &FileName,
                                   llvm::raw_ostream &Err) {
  DiagSink Sink{&Err};
  llvm::yaml::Input In(llvm::MemoryBufferRef(Text, FileName), nullptr,
                       diagHandler, &Sink);
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
  for (size_t I = 0; I < M.Locks.size(); ++I) {
    for (const auto &T : M.Locks[I].Mutexes)
      LockByMutex[T] = {MI, I};
    for (const auto &G : M.Locks[I].Guards)
      GuardTypes[G] = true;
  }
  for (size_t I = 0; I < M.Blocking.size(); ++I) {
    const auto &B = M.Blocking[I];
    if (!B.Function.empty())
      BlockingByFunction[B.Function] = {MI, I};
    else
      BlockingByType[B.Type].push_back({MI, I});
  }
}


const ChannelModel *ModelSet::channelForType(const std::string &Q) const {
  auto It = ChannelByType.find(Q);
  return It == ChannelByType.end()
             ? nullptr
             : &Models[It->second.Model].Channels[It->second.Item];
}
const SpawnModel *ModelSet::spawnForType(const std::string &Q) const {
  auto It = SpawnByType.find(Q);
  return It == SpawnByType.end()
             ? nullptr
             : &Models[It->second.Model].Spawns[It->second.Item];
}
const SpawnModel *ModelSet::spawnForFunction(const std::string &Q) const {
  auto It = SpawnByFunction.find(Q);
  return It == SpawnByFunction.end()
             ? nullptr
             : &Models[It->second.Model].Spawns[It->second.Item];
}
const FutureModel *ModelSet::futureForType(const std::string &Q) const {
  auto It = FutureByType.find(Q);
  return It == FutureByType.end()
             ? nullptr
             : &Models[It->second.Model].Futures[It->second.Item];
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
const LockModel *ModelSet::lockForMutexType(const std::string &Q) const {
  auto It = LockByMutex.find(Q);
  return It == LockByMutex.end()
             ? nullptr
             : &Models[It->second.Model].Locks[It->second.Item];
}
bool ModelSet::isLockGuardType(const std::string &Q) const {
  return GuardTypes.count(Q) != 0;
}
const BlockingModel *
ModelSet::blockingForFunction(const std::string &Q) const {
  auto It = BlockingByFunction.find(Q);
  return It == BlockingByFunction.end()
             ? nullptr
             : &Models[It->second.Model].Blocking[It->second.Item];
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

} // namespace tether
