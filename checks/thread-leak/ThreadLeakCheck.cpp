// thread-leak: which shape each spawn of a function is asked about. The
// shapes are in the files named in ThreadLeak.h.
#include "ThreadLeak.h"

using namespace clang;

namespace tether {
namespace threadleak {

const char *const CheckId = "thread-leak";

const CheckInfo &ThreadLeakCheck::info() const {
  static const CheckInfo Info{
      CheckId,
      "A thread has no owner that waits for it.",
      "A detached thread that uses locals or `this` of an object it may "
      "outlive reads freed memory; a detached thread that loops forever "
      "can never be stopped; a std::thread destroyed while joinable (an "
      "early return, a break or an exception skipped the join) calls "
      "std::terminate; a std::async task whose future is never waited on "
      "may never run (default or deferred policy). Keep the thread's "
      "handle and join it on every path (std::jthread, a guard), give a "
      "detached thread only values and shared ownership, and give endless "
      "loops a stop condition.",
      Severity::Warning,
      {{"allow_detached", OptionType::Globs, "",
        "intentional daemons (globs over simple and qualified function "
        "names): detached threads they start or run are not reported; "
        "cancel-missing reads it too"}}};
  return Info;
}

void ThreadLeakCheck::checkFunction(FunctionContext &Ctx) {
  const FunctionDecl *FD = Ctx.function();
  if (!FD || FD->isDependentContext() || !FD->getBody())
    return;
  const Spawns &Here = Ctx.spawns();
  if (Here.empty() && Here.handleUses().empty())
    return;

  // (a), (b): detached threads. The spawns whose handle this function
  // detaches (right away, through its variable or member, or through the
  // elements of the container it went into)...
  for (const Spawn &S : Here.all())
    if (S.Fate == HandleFate::Detached)
      if (const auto *MC = dyn_cast_or_null<CXXMemberCallExpr>(S.FateSite))
        checkDetached(Ctx, MC, S);
  // ... and the handles started elsewhere (another member function, the
  // constructor) or before a detach that precedes the spawn in the text.
  for (const HandleUse &U : Here.handleUses()) {
    if (U.Kind != HandleOpKind::Detach || !U.Target)
      continue;
    const auto *MC = dyn_cast<CXXMemberCallExpr>(U.Call);
    if (!MC || matchSpawn(stripTemporaries(MC->getImplicitObjectArgument()),
                          Ctx.tu().Models))
      continue; // a temporary: handled above
    for (const Spawn *S : detachedSpawns(Ctx, U, Here))
      checkDetached(Ctx, MC, *S);
  }

  // (c): local handles that terminate when destroyed joinable.
  for (const Spawn &S : Here.all())
    if (S.Local && S.Site.Model &&
        endsProgram(S.Site.Model->Destruction) &&
        S.Site.Model->Function.empty())
      checkLocalPaths(Ctx, S);
  // (c): thread members never joined.
  for (const Spawn &S : Here.all())
    if (S.Member)
      checkMember(Ctx, S);

  // (d): std::async futures stored and never used.
  for (const Spawn &S : Here.all())
    if (S.Local && S.Site.Model && !S.Site.Model->Returns.empty() &&
        isa_and_nonnull<DeclStmt>(S.Anchor))
      checkFuture(Ctx, S);
}

const StopPaths &ThreadLeakCheck::stopPaths(FunctionContext &Ctx) {
  if (!Stops)
    Stops = std::make_unique<StopPaths>(Ctx.ast(), Ctx.tu().Models);
  return *Stops;
}

ClassUses &ThreadLeakCheck::classUses(FunctionContext &Ctx) {
  if (!Classes)
    Classes = std::make_unique<ClassUses>(Ctx.ast(), Ctx.tu().Models);
  return *Classes;
}

const Spawns &ThreadLeakCheck::spawnsOf(FunctionContext &Ctx, const FunctionDecl *Def) {
  std::unique_ptr<Spawns> &P = OtherSpawns[Def];
  if (!P)
    P = std::make_unique<Spawns>(Ctx.tu(), Def);
  return *P;
}

} // namespace threadleak

std::unique_ptr<Check> createThreadLeakCheck() {
  return std::make_unique<threadleak::ThreadLeakCheck>();
}

} // namespace tether
