// llvm::yaml traits for the API model schema, shared by the model loader
// and the `.tether.yaml` config reader (whose `models:` key embeds models).
#pragma once

#include "ApiModel.h"

#include "llvm/Support/YAMLTraits.h"

#include <algorithm>

namespace llvm {
class SMDiagnostic;
class raw_ostream;
} // namespace llvm

namespace tether {
using llvm::yaml::IO;

// Collects llvm::yaml errors as "file:line:col: error: message" lines; pass
// yamlErrorHandler and a sink to llvm::yaml::Input.
struct YamlErrorSink {
  llvm::raw_ostream *Out;
  bool Failed = false;
};
void yamlErrorHandler(const llvm::SMDiagnostic &D, void *Sink);
// Refuses YAML that LLVM's recursive parser must not see (nesting deeper than
// MaxNestingDepth) or that tether does not read (anchors and aliases), with a
// "file:line:col: error: ..." line. Call before llvm::yaml::Input.
bool checkYamlInput(llvm::StringRef Text, llvm::StringRef FileName,
                    llvm::raw_ostream &Err);
// Reads a model or config file the user named (a regular file, at most
// MaxConfigBytes); on failure prints "file: error: cannot read WHAT: why".
bool readYamlFile(const std::string &Path, llvm::StringRef What,
                  std::string &Text, llvm::raw_ostream &Err);
} // namespace tether

namespace llvm::yaml {

using namespace tether;

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
    Io.enumCase(V, "abort_if_running", OnDestruction::AbortIfRunning);
    Io.enumCase(V, "join", OnDestruction::Join);
    Io.enumCase(V, "request_stop_and_join", OnDestruction::RequestStopAndJoin);
  }
};

template <> struct ScalarEnumerationTraits<ClosedForm> {
  static void enumeration(IO &Io, ClosedForm &V) {
    Io.enumCase(V, "bool", ClosedForm::Bool);
    Io.enumCase(V, "status", ClosedForm::Status);
    Io.enumCase(V, "optional", ClosedForm::Optional);
    Io.enumCase(V, "exception", ClosedForm::Exception);
    Io.enumCase(V, "sentinel", ClosedForm::Sentinel);
  }
};

template <> struct MappingTraits<ReceiveClosedModel> {
  static void mapping(IO &Io, ReceiveClosedModel &R) {
    Io.mapRequired("methods", R.Methods);
    Io.mapRequired("result", R.Form);
    Io.mapOptional("status", R.Status);
    Io.mapOptional("exception", R.Exception);
    Io.mapOptional("sentinel", R.Sentinel);
  }
  static std::string validate(IO &, ReceiveClosedModel &R) {
    if (R.Methods.empty())
      return "a 'receive_closed' entry needs at least one of the channel's "
             "receive methods in 'methods'";
    struct Field {
      const char *Key;
      const std::string *Value;
      ClosedForm Form;
      const char *FormName;
    } Fields[] = {{"status", &R.Status, ClosedForm::Status, "status"},
                  {"exception", &R.Exception, ClosedForm::Exception,
                   "exception"},
                  {"sentinel", &R.Sentinel, ClosedForm::Sentinel, "sentinel"}};
    for (const Field &F : Fields) {
      if (R.Form == F.Form && F.Value->empty())
        return std::string("'result: ") + F.FormName + "' needs '" + F.Key +
               "' (" +
               (F.Form == ClosedForm::Status
                    ? "the qualified enumerator that means closed"
                : F.Form == ClosedForm::Exception
                    ? "the qualified exception class thrown on close"
                    : "the value a sender puts in to end the receivers") +
               ")";
      if (R.Form != F.Form && !F.Value->empty())
        return std::string("'") + F.Key + "' is only meaningful with 'result: " +
               F.FormName + "'";
    }
    return "";
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
    Io.mapOptional("reserved_slots", C.ReservedSlots, 0);
    Io.mapOptional("zero_capacity_unbounded", C.ZeroCapacityUnbounded, false);
    Io.mapOptional("double_close", C.OnDoubleClose, DoubleClose::Harmless);
    Io.mapOptional("send_after_close", C.OnSendAfterClose,
                   SendAfterClose::Status);
    Io.mapOptional("receive_closed", C.ReceiveClosed);
    Io.mapOptional("closeless", C.Closeless, false);
    Io.mapOptional("inferred", C.Inferred, false);
    Io.mapOptional("closed_state", C.ClosedState);
    Io.mapOptional("success", C.Success);
  }
  static std::string validate(IO &, ChannelModel &C) {
    if (C.Types.empty())
      return "a channel model needs at least one entry in 'types'";
    if (C.Send.empty() && C.Receive.empty() && C.Close.empty())
      return "a channel model needs at least one of 'send', 'receive', "
             "'close'";
    auto Receives = [&](const std::string &M) {
      for (const auto *L : {&C.Receive, &C.TryReceive, &C.TimedReceive})
        for (const auto &R : *L)
          if (R == M)
            return true;
      return false;
    };
    bool Sentinel = false;
    for (const ReceiveClosedModel &R : C.ReceiveClosed) {
      for (const auto &M : R.Methods)
        if (!Receives(M))
          return "'receive_closed' names '" + M +
                 "', which is not in 'receive', 'try_receive' or "
                 "'timed_receive'";
      Sentinel |= R.Form == ClosedForm::Sentinel;
    }
    for (size_t I = 0; I < C.ReceiveClosed.size(); ++I)
      for (size_t J = 0; J < I; ++J)
        for (const auto &M : C.ReceiveClosed[I].Methods)
          for (const auto &N : C.ReceiveClosed[J].Methods)
            if (M == N)
              return "'receive_closed' describes '" + M + "' twice";
    if (C.Closeless) {
      if (!C.Close.empty() || C.ClosesOnDestruction || C.Range)
        return "a 'closeless' channel has no 'close', "
               "'closes_on_destruction' or 'range'";
      if (!Sentinel && C.TimedReceive.empty())
        return "a 'closeless' channel ends its receivers with a sentinel "
               "('receive_closed' with 'result: sentinel') or a timeout "
               "('timed_receive'): name one";
    } else if (Sentinel) {
      return "'result: sentinel' is for 'closeless' channels (a queue with a "
             "close reports it another way)";
    }
    if (!C.Success.empty() && C.OnSendAfterClose != SendAfterClose::Status)
      return "'success' names status values: it needs 'send_after_close: "
             "status'";
    return "";
  }
};

template <> struct MappingTraits<CancelSourceModel> {
  static void mapping(IO &Io, CancelSourceModel &S) {
    Io.mapRequired("type", S.Type);
    Io.mapOptional("request", S.Request);
    Io.mapOptional("get_token", S.GetToken);
    Io.mapOptional("requests_on_destruction", S.RequestsOnDestruction, false);
    Io.mapOptional("query", S.Query);
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
    Io.mapOptional("timed", W.Timed);
    Io.mapOptional("replaces", W.Replaces);
  }
  static std::string validate(IO &, InterruptibleWaitModel &W) {
    for (const std::string &T : W.Timed)
      if (std::find(W.Methods.begin(), W.Methods.end(), T) == W.Methods.end())
        return "interruptible wait '" + T +
               "' is listed in 'timed' but not in 'methods'";
    return "";
  }
};
template <> struct MappingTraits<CancellationModel> {
  static void mapping(IO &Io, CancellationModel &C) {
    Io.mapOptional("sources", C.Sources);
    Io.mapOptional("tokens", C.Tokens);
    Io.mapOptional("interruptible_waits", C.InterruptibleWaits);
    Io.mapOptional("interruption_points", C.InterruptionPoints);
    Io.mapOptional("callbacks", C.Callbacks);
  }
};

template <> struct MappingTraits<SpawnModel> {
  static void mapping(IO &Io, SpawnModel &S) {
    Io.mapOptional("type", S.Type);
    Io.mapOptional("function", S.Function);
    Io.mapOptional("methods", S.Methods);
    Io.mapOptional("start", S.Start);
    Io.mapOptional("body", S.Body);
    Io.mapOptional("callable_arg", S.CallableArg, -1);
    Io.mapOptional("join", S.Join);
    Io.mapOptional("detach", S.Detach);
    Io.mapOptional("interrupt", S.Interrupt);
    Io.mapOptional("on_destruction", S.Destruction, OnDestruction::Nothing);
    Io.mapOptional("passes_stop_token", S.PassesStopToken, false);
    Io.mapOptional("lightweight", S.Lightweight, false);
    Io.mapOptional("returns", S.Returns);
    Io.mapOptional("joinable", S.Joinable);
    // Pools wait for their tasks with a method called wait-something unless
    // the model says otherwise.
    Io.mapOptional("wait_all", S.WaitAll,
                   S.Methods.empty() ? std::vector<std::string>()
                                     : std::vector<std::string>{"wait*"});
  }
  static std::string validate(IO &, SpawnModel &S) {
    if (S.Type.empty() == S.Function.empty())
      return "a spawn model names exactly one of 'type' and 'function'";
    if (!S.WaitAll.empty() && S.Methods.empty())
      return "'wait_all' is for pool models: it needs 'methods'";
    if (S.Start.empty() != S.Body.empty())
      return "'start' and 'body' go together: the methods that start the "
             "object's thread and the virtual method it runs";
    if (!S.Start.empty() && (S.Type.empty() || !S.Methods.empty() ||
                             S.CallableArg != -1 || !S.Returns.empty()))
      return "a model with 'start' is a thread type: it names 'type' and "
             "takes no 'methods', 'callable_arg' or 'returns'";
    return invalidGlobs(S.WaitAll);
  }
};

template <> struct MappingTraits<FutureModel> {
  static void mapping(IO &Io, FutureModel &F) {
    Io.mapRequired("type", F.Type);
    Io.mapOptional("wait", F.Wait);
    Io.mapOptional("timed_wait", F.TimedWait);
    Io.mapOptional("blocks_on_destruction", F.BlocksOnDestruction, false);
    Io.mapOptional("valid", F.Valid);
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
    Io.mapOptional("defer_tags", L.DeferTags);
    Io.mapOptional("try_tags", L.TryTags);
    Io.mapOptional("adopt_tags", L.AdoptTags);
    Io.mapOptional("owns", L.Owns);
  }
  static std::string validate(IO &, LockModel &L) {
    bool Tags = !L.DeferTags.empty() || !L.TryTags.empty() ||
                !L.AdoptTags.empty() || !L.Owns.empty();
    if (Tags && L.Guards.empty())
      return "'defer_tags', 'try_tags', 'adopt_tags' and 'owns' are about "
             "guards: the lock model needs 'guards'";
    return "";
  }
};

template <> struct MappingTraits<ConventionsModel> {
  static void mapping(IO &Io, ConventionsModel &C) {
    Io.mapOptional("insert", C.Insert);
    Io.mapOptional("emplace", C.Emplace);
    Io.mapOptional("element_access", C.ElementAccess);
    Io.mapOptional("observe", C.Observe);
    Io.mapOptional("unwrap", C.Unwrap);
    Io.mapOptional("wait", C.Wait);
    Io.mapOptional("size", C.Size);
    Io.mapOptional("remove", C.Remove);
    Io.mapOptional("resize", C.Resize);
    Io.mapOptional("range_insert", C.RangeInsert);
    Io.mapOptional("end", C.End);
    Io.mapOptional("minimum", C.Minimum);
    Io.mapOptional("input_reads", C.InputReads);
    Io.mapOptional("factories", C.Factories);
    Io.mapOptional("wake", C.Wake);
  }
  static std::string validate(IO &, ConventionsModel &C) {
    for (const auto *L :
         {&C.Insert, &C.Emplace, &C.ElementAccess, &C.Observe, &C.Unwrap,
          &C.Wait, &C.Size, &C.Remove, &C.Resize, &C.RangeInsert, &C.End,
          &C.Minimum, &C.InputReads, &C.Factories, &C.Wake})
      if (std::string E = invalidGlobs(*L); !E.empty())
        return E;
    return "";
  }
};

template <> struct MappingTraits<SmartPointerModel> {
  static void mapping(IO &Io, SmartPointerModel &P) {
    Io.mapRequired("types", P.Types);
    Io.mapOptional("shared", P.Shared, false);
    Io.mapOptional("make", P.Make);
    Io.mapOptional("allocate", P.Allocate);
  }
  static std::string validate(IO &, SmartPointerModel &P) {
    if (P.Types.empty())
      return "a smart pointer model needs at least one entry in 'types'";
    return "";
  }
};

template <> struct MappingTraits<UtilitiesModel> {
  static void mapping(IO &Io, UtilitiesModel &U) {
    Io.mapOptional("reference_wrappers", U.ReferenceWrappers);
    Io.mapOptional("for_each", U.ForEach);
    Io.mapOptional("fixed_size_containers", U.FixedSizeContainers);
    Io.mapOptional("stream_bases", U.StreamBases);
    Io.mapOptional("core_counts", U.CoreCounts);
    Io.mapOptional("optionals", U.Optionals);
    Io.mapOptional("durations", U.Durations);
    Io.mapOptional("time_points", U.TimePoints);
  }
};

template <> struct MappingTraits<AtomicsModel> {
  static void mapping(IO &Io, AtomicsModel &A) {
    Io.mapOptional("types", A.Types);
    Io.mapOptional("flags", A.Flags);
    Io.mapOptional("set", A.Set);
    Io.mapOptional("update", A.Update);
    Io.mapOptional("read", A.Read);
    Io.mapOptional("claim", A.Claim);
    Io.mapOptional("step", A.Step);
    Io.mapOptional("function_prefixes", A.FunctionPrefixes);
  }
  static std::string validate(IO &, AtomicsModel &A) {
    for (const auto *L : {&A.Set, &A.Update, &A.Read, &A.Claim, &A.Step})
      if (std::string E = invalidGlobs(*L); !E.empty())
        return E;
    return "";
  }
};

template <> struct MappingTraits<BlockingModel> {
  static void mapping(IO &Io, BlockingModel &B) {
    Io.mapOptional("type", B.Type);
    Io.mapOptional("function", B.Function);
    Io.mapOptional("methods", B.Methods);
    Io.mapRequired("reason", B.Reason);
    Io.mapOptional("waits_for_work", B.WaitsForWork, false);
    Io.mapOptional("never_returns", B.NeverReturns, false);
    Io.mapOptional("arrive", B.Arrive);
    Io.mapOptional("timeout_arg", B.TimeoutArg, -1);
  }
  static std::string validate(IO &, BlockingModel &B) {
    if (B.Type.empty() == B.Function.empty())
      return "a blocking model names exactly one of 'type' and 'function'";
    if (!B.Type.empty() && B.Methods.empty())
      return "a blocking model with 'type' needs 'methods'";
    if (B.Type.empty() && !B.Arrive.empty())
      return "'arrive' names methods: it needs 'type'";
    if (B.NeverReturns && B.WaitsForWork)
      return "a blocking model that never returns cannot also return once "
             "its work is done ('never_returns' with 'waits_for_work')";
    if (B.TimeoutArg < -1)
      return "'timeout_arg' is the index of an argument (0 for the first), "
             "or -1 for none";
    if (B.TimeoutArg >= 0 && B.NeverReturns)
      return "a blocking model that never returns has no timeout "
             "('never_returns' with 'timeout_arg')";
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
    Io.mapOptional("conventions", M.Conventions);
    Io.mapOptional("smart_pointers", M.SmartPointers);
    Io.mapOptional("utilities", M.Utilities);
    Io.mapOptional("atomics", M.Atomics);
  }
};

} // namespace llvm::yaml

LLVM_YAML_IS_SEQUENCE_VECTOR(tether::ReceiveClosedModel)
LLVM_YAML_IS_SEQUENCE_VECTOR(tether::ChannelModel)
LLVM_YAML_IS_SEQUENCE_VECTOR(tether::CancelSourceModel)
LLVM_YAML_IS_SEQUENCE_VECTOR(tether::CancelTokenModel)
LLVM_YAML_IS_SEQUENCE_VECTOR(tether::InterruptibleWaitModel)
LLVM_YAML_IS_SEQUENCE_VECTOR(tether::SpawnModel)
LLVM_YAML_IS_SEQUENCE_VECTOR(tether::FutureModel)
LLVM_YAML_IS_SEQUENCE_VECTOR(tether::LockModel)
LLVM_YAML_IS_SEQUENCE_VECTOR(tether::BlockingModel)
LLVM_YAML_IS_SEQUENCE_VECTOR(tether::SmartPointerModel)
LLVM_YAML_IS_SEQUENCE_VECTOR(tether::ApiModel)
