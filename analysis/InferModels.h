// InferModels: API models read off the classes a project writes itself.
//
// A hand-rolled blocking queue is the most common channel in C++ code, and
// nobody writes a model for it. A class is inferred to be a channel when
// its shape leaves no doubt:
// - a receive method waits on a condition-variable member until an element
//   arrives or a closed-state member (a bool or atomic<bool> flag) is set —
//   the wait's predicate (or the loop around the wait) reads both the flag
//   and the container the method then takes from;
// - a close method (or the destructor) sets that flag and notifies the
//   condition variable the receive waits on (a close that does not wake the
//   receivers makes no channel: nothing is inferred);
// - a send method adds to that container and notifies.
// How each receive reports "closed" is read from its signature and body: a
// bool result, an std::optional, a status enumerator returned when the flag
// is set, or the one exception class it throws. Methods that call a receive
// of the same class are receives too. Anything less certain is left out:
// the class is not a channel, or the method has no closed form.
//
// A stop signal is inferred to be a stop source: a flag a request method
// sets and notifies a condition variable after, and a method that waits on
// that condition variable until the flag (and nothing else) is set; its
// const methods returning the flag are its queries.
//
// The channel models are marked `inferred: true` (stop sources have no
// such marker: no message names them), go into the same ModelSet the
// checks use (never replacing a model someone wrote), and the checks say in
// their messages that the channel's model was inferred.
#pragma once

#include "ApiModel.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"

#include <optional>
#include <string>

namespace tether {

// The models inferred from the classes defined in AST outside system
// headers, as one ApiModel (library "inferred"); classes that Known already
// models are skipped. Empty channel list when nothing is certain.
ApiModel inferModels(clang::ASTContext &AST, const ModelSet &Known);

// A send method of a channel class (a model with `closed_state`) that tests
// the closed state to refuse the send without holding the lock under which
// it then adds to the buffer: check-then-act. A close between the test and
// the push lets the element in after the close, where no receiver takes it
// (`if (stop) throw …; { lock_guard g(m); tasks.push(t); }`).
struct UnlockedClosedTest {
  const clang::Expr *Test = nullptr; // the read of the closed state
  const clang::Expr *Push = nullptr; // the add to the buffer
  std::string Mutex;                 // held at the push, not at the test
  const ChannelModel *Model = nullptr;
};
class FunctionAnalyses;
std::optional<UnlockedClosedTest> unlockedClosedTest(FunctionAnalyses &FA,
                                                     const ModelSet &Models);

} // namespace tether
