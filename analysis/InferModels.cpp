#include "InferModels.h"
#include "ObjectWrites.h"
#include "ASTHelpers.h"
#include "AnalysisContext.h"
#include "LockState.h"
#include "ModelMatch.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <map>
#include <set>

using namespace clang;

namespace tether {
namespace {

// The field of `this` an expression designates (`q_`, `this->q_`).
const FieldDecl *thisField(const Expr *E) {
  if (!E)
    return nullptr;
  E = E->IgnoreParenImpCasts();
  const auto *ME = dyn_cast<MemberExpr>(E);
  if (!ME || !isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()))
    return nullptr;
  return dyn_cast<FieldDecl>(ME->getMemberDecl());
}

// A member call on a field of `this` (`cv_.wait(lk)`, `q_.push_back(v)`),
// also in a template where the call is not resolved yet.
struct FieldCall {
  const FieldDecl *Field = nullptr;
  std::string Name;
  llvm::SmallVector<const Expr *, 3> Args;
};
std::optional<FieldCall> fieldCall(const Stmt *S) {
  const auto *Call = dyn_cast<CallExpr>(S);
  if (!Call || isa<CXXOperatorCallExpr>(Call))
    return std::nullopt;
  FieldCall FC;
  const Expr *Callee = Call->getCallee()->IgnoreParenImpCasts();
  if (const auto *ME = dyn_cast<MemberExpr>(Callee)) {
    FC.Field = thisField(ME->getBase());
    FC.Name = ME->getMemberNameInfo().getAsString();
  } else if (const auto *D = dyn_cast<CXXDependentScopeMemberExpr>(Callee)) {
    FC.Field = D->isImplicitAccess() ? nullptr : thisField(D->getBase());
    FC.Name = D->getMember().getAsString();
  } else if (const auto *U = dyn_cast<UnresolvedMemberExpr>(Callee)) {
    FC.Field = U->isImplicitAccess() ? nullptr : thisField(U->getBase());
    FC.Name = U->getMemberName().getAsString();
  }
  if (!FC.Field)
    return std::nullopt;
  for (const Expr *A : Call->arguments())
    FC.Args.push_back(A);
  return FC;
}

// The name of a method of the same class called on `this` (`pop()`,
// `this->pop()`), also unresolved in a template.
std::optional<std::string> ownCall(const Stmt *S) {
  const auto *Call = dyn_cast<CallExpr>(S);
  if (!Call)
    return std::nullopt;
  const Expr *Callee = Call->getCallee()->IgnoreParenImpCasts();
  auto OnThis = [](const Expr *Base, bool Implicit) {
    return Implicit || (Base && isa<CXXThisExpr>(Base->IgnoreParenImpCasts()));
  };
  if (const auto *ME = dyn_cast<MemberExpr>(Callee);
      ME && isa<CXXMethodDecl>(ME->getMemberDecl()) &&
      OnThis(ME->getBase(), false))
    return ME->getMemberNameInfo().getAsString();
  if (const auto *U = dyn_cast<UnresolvedMemberExpr>(Callee);
      U && OnThis(U->isImplicitAccess() ? nullptr : U->getBase(),
                  U->isImplicitAccess()))
    return U->getMemberName().getAsString();
  if (const auto *D = dyn_cast<CXXDependentScopeMemberExpr>(Callee);
      D && OnThis(D->isImplicitAccess() ? nullptr : D->getBase(),
                  D->isImplicitAccess()))
    return D->getMember().getAsString();
  return std::nullopt;
}

bool refersToField(const Stmt *S, const FieldDecl *F) {
  if (!S)
    return false;
  if (const auto *ME = dyn_cast<MemberExpr>(S))
    if (ME->getMemberDecl() == F)
      return true;
  for (const Stmt *C : S->children())
    if (refersToField(C, F))
      return true;
  return false;
}

void fieldsIn(const Stmt *S, llvm::SmallPtrSetImpl<const FieldDecl *> &Out) {
  if (!S)
    return;
  if (const auto *ME = dyn_cast<MemberExpr>(S))
    if (const auto *F = dyn_cast<FieldDecl>(ME->getMemberDecl()))
      Out.insert(F);
  for (const Stmt *C : S->children())
    fieldsIn(C, Out);
}

std::optional<bool> boolLiteral(const Expr *E) {
  if (!E)
    return std::nullopt;
  if (const auto *B = dyn_cast<CXXBoolLiteralExpr>(E->IgnoreParenImpCasts()))
    return B->getValue();
  return std::nullopt;
}

// The qualified name of the template or class a type names, through
// references and sugar (also for a dependent `std::optional<T>`).
std::string typeName(QualType T) {
  if (T.isNull())
    return {};
  T = T.getNonReferenceType();
  if (const auto *TST = T->getAs<TemplateSpecializationType>())
    if (const TemplateDecl *TD = TST->getTemplateName().getAsTemplateDecl())
      return TD->getQualifiedNameAsString();
  if (const CXXRecordDecl *RD = T->getAsCXXRecordDecl())
    return modelName(RD);
  return {};
}

// A flag held by value: a bool or an atomic of bool (the models' atomics).
bool isFlagType(QualType T, const ModelSet &Models) {
  T = T.getCanonicalType();
  if (T->isBooleanType())
    return true;
  return T->getAsCXXRecordDecl() && isAtomicBoolType(T, Models);
}

bool isCondVarType(QualType T, const ModelSet &Models) {
  const CXXRecordDecl *RD = T.getCanonicalType()->getAsCXXRecordDecl();
  if (!RD)
    return false;
  // A condition variable is what the models say waits as one (the
  // runtime's `cond wait`), whatever its methods are called.
  return llvm::any_of(Models.blockingForType(modelName(RD)),
                      [](const BlockingModel *B) {
                        return B->Reason == "cond wait";
                      });
}

// An element put in (`push`, `emplace_back`) or taken out (`pop_front`,
// `erase`): the models' `insert` and `remove` conventions.
bool isAdd(llvm::StringRef N, const ModelSet &Models) {
  return Models.follows(ModelSet::Convention::Insert, N.str());
}
bool isRemove(llvm::StringRef N, const ModelSet &Models) {
  return Models.follows(ModelSet::Convention::Remove, N.str());
}

// What one method body does to the members.
struct MethodFacts {
  const CXXMethodDecl *MD = nullptr;
  std::string Name;
  struct Wait {
    const FieldDecl *CV;
    bool Timed;
    llvm::SmallPtrSet<const FieldDecl *, 4> PredicateFields;
  };
  std::vector<Wait> Waits;
  llvm::SmallPtrSet<const FieldDecl *, 2> Notifies, Adds, Removes;
  std::map<const FieldDecl *, bool> FlagSets; // field -> value stored
  std::set<std::string> OwnCalls;
  std::set<std::string> Thrown;              // exception classes
  std::set<std::string> ThrownUnderFlag;     // thrown when a flag is read
  std::set<std::string> ClosedEnumerators;   // returned when a flag is read
  bool ReturnsFalseUnderFlag = false;
};

class MethodWalker {
public:
  MethodWalker(MethodFacts &F, const ModelSet &Models,
               const llvm::SmallPtrSetImpl<const FieldDecl *> &Flags,
               bool EnterLambdas = false)
      : F(F), Models(Models), Flags(Flags), EnterLambdas(EnterLambdas) {}

  void walk(const Stmt *S) {
    if (!S)
      return;
    if (const auto *L = dyn_cast<LambdaExpr>(S)) {
      // A wait predicate's lambda is read through its wait call; the
      // bodies of threads a constructor starts are read when asked.
      if (EnterLambdas)
        walk(L->getBody());
      return;
    }
    if (const auto *W = dyn_cast<WhileStmt>(S)) {
      Conds.push_back(W->getCond());
      walk(W->getCond());
      walk(W->getBody());
      Conds.pop_back();
      return;
    }
    if (const auto *If = dyn_cast<IfStmt>(S)) {
      walk(If->getCond());
      Conds.push_back(If->getCond());
      walk(If->getThen());
      walk(If->getElse());
      Conds.pop_back();
      return;
    }
    if (const auto *CO = dyn_cast<ConditionalOperator>(S)) {
      walk(CO->getCond());
      Conds.push_back(CO->getCond());
      walk(CO->getTrueExpr());
      walk(CO->getFalseExpr());
      Conds.pop_back();
      return;
    }
    visit(S);
    for (const Stmt *C : S->children())
      walk(C);
  }

private:
  bool underFlag() const {
    for (const Stmt *C : Conds)
      for (const FieldDecl *Fl : Flags)
        if (refersToField(C, Fl))
          return true;
    return false;
  }

  void visit(const Stmt *S) {
    if (auto FC = fieldCall(S)) {
      llvm::StringRef N = FC->Name;
      QualType T = FC->Field->getType();
      if (isCondVarType(T, Models)) {
        const CXXRecordDecl *CV = T.getCanonicalType()->getAsCXXRecordDecl();
        if (Models.blockingForMethod(modelName(CV), N.str())) {
          // Timed when it is passed a duration or a deadline (wait_for,
          // wait_until): it returns on its own.
          bool Timed = llvm::any_of(FC->Args, [&](const Expr *A) {
            return isTimeoutType(A->getType(), Models);
          });
          MethodFacts::Wait W{FC->Field, Timed, {}};
          // The predicate: a lambda argument after the lock, else the loop
          // around the wait.
          const LambdaExpr *Pred = nullptr;
          if (FC->Args.size() >= 2)
            Pred = dyn_cast<LambdaExpr>(
                stripTemporaries(FC->Args.back(), {false, true}));
          if (Pred)
            fieldsIn(Pred->getBody(), W.PredicateFields);
          else if (!Conds.empty())
            fieldsIn(Conds.back(), W.PredicateFields);
          F.Waits.push_back(std::move(W));
        } else if (Models.follows(ModelSet::Convention::Wake, N.str())) {
          F.Notifies.insert(FC->Field);
        }
      } else if (isFlagType(T, Models)) {
        if (Models.atomicMethod(N.str()) == ModelSet::AtomicWrite::Set &&
            !FC->Args.empty())
          if (auto V = boolLiteral(FC->Args[0]))
            F.FlagSets[FC->Field] = *V;
      } else if (isAdd(N, Models)) {
        F.Adds.insert(FC->Field);
      } else if (isRemove(N, Models)) {
        F.Removes.insert(FC->Field);
      }
      return;
    }
    if (auto Own = ownCall(S)) {
      F.OwnCalls.insert(*Own);
      return;
    }
    if (const auto *BO = dyn_cast<BinaryOperator>(S);
        BO && BO->getOpcode() == BO_Assign) {
      if (const FieldDecl *Fd = thisField(BO->getLHS()))
        if (auto V = boolLiteral(BO->getRHS()); V && isFlagType(Fd->getType(), Models))
          F.FlagSets[Fd] = *V;
      return;
    }
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
        Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2) {
      if (const FieldDecl *Fd = thisField(Op->getArg(0)))
        if (auto V = boolLiteral(Op->getArg(1)); V && isFlagType(Fd->getType(), Models))
          F.FlagSets[Fd] = *V;
      return;
    }
    if (const auto *Th = dyn_cast<CXXThrowExpr>(S)) {
      if (const Expr *Sub = Th->getSubExpr()) {
        std::string N = typeName(Sub->getType());
        if (!N.empty()) {
          F.Thrown.insert(N);
          if (underFlag())
            F.ThrownUnderFlag.insert(N);
        }
      }
      return;
    }
    if (const auto *R = dyn_cast<ReturnStmt>(S)) {
      const Expr *V = R->getRetValue();
      if (!V || !underFlag())
        return;
      V = V->IgnoreParenImpCasts();
      if (const auto *DR = dyn_cast<DeclRefExpr>(V))
        if (const auto *EC = dyn_cast<EnumConstantDecl>(DR->getDecl()))
          F.ClosedEnumerators.insert(EC->getQualifiedNameAsString());
      if (auto B = boolLiteral(V); B && !*B)
        F.ReturnsFalseUnderFlag = true;
    }
  }

  MethodFacts &F;
  const ModelSet &Models;
  const llvm::SmallPtrSetImpl<const FieldDecl *> &Flags;
  bool EnterLambdas;
  std::vector<const Stmt *> Conds; // enclosing if/while conditions
};

// The closed form a receive method's signature and body give, if certain.
std::optional<ReceiveClosedModel> closedFormOf(const MethodFacts &M,
                                                const ModelSet &Models) {
  ReceiveClosedModel R;
  R.Methods = {M.Name};
  QualType T = M.MD->getReturnType();
  if (T->isBooleanType()) {
    R.Form = ClosedForm::Bool;
    return R;
  }
  if (Models.isOptionalType(typeName(T))) { // also std::optional<T> in a template
    R.Form = ClosedForm::Optional;
    return R;
  }
  if (T->isEnumeralType()) {
    if (M.ClosedEnumerators.size() != 1)
      return std::nullopt;
    R.Form = ClosedForm::Status;
    R.Status = *M.ClosedEnumerators.begin();
    return R;
  }
  if (M.Thrown.size() == 1) {
    R.Form = ClosedForm::Exception;
    R.Exception = *M.Thrown.begin();
    return R;
  }
  return std::nullopt;
}

const FunctionDecl *bodyOf(const CXXMethodDecl *MD) {
  const FunctionDecl *Def = nullptr;
  if (!MD->hasBody(Def))
    return nullptr;
  return Def;
}

// The flag members (bool, atomic<bool>) and condition-variable members of
// RD; false when it lacks either.
bool flagsAndCondVars(const CXXRecordDecl *RD, const ModelSet &Models,
                      llvm::SmallPtrSetImpl<const FieldDecl *> &Flags,
                      llvm::SmallPtrSetImpl<const FieldDecl *> &CVs) {
  for (const FieldDecl *Fd : RD->fields()) {
    if (isFlagType(Fd->getType(), Models))
      Flags.insert(Fd);
    else if (isCondVarType(Fd->getType(), Models))
      CVs.insert(Fd);
  }
  return !Flags.empty() && !CVs.empty();
}

// Infers the channel model of one class, if its shape is certain.
std::optional<ChannelModel> inferChannel(const CXXRecordDecl *RD,
                                         const ModelSet &Models) {
  llvm::SmallPtrSet<const FieldDecl *, 4> Flags, CVs;
  if (!flagsAndCondVars(RD, Models, Flags, CVs))
    return std::nullopt;

  // Methods, member templates included (`template <class F> void
  // enqueue(F f)`).
  std::vector<const CXXMethodDecl *> All;
  for (const Decl *D : RD->decls()) {
    if (const auto *FT = dyn_cast<FunctionTemplateDecl>(D))
      D = FT->getTemplatedDecl();
    if (const auto *MD = dyn_cast<CXXMethodDecl>(D))
      All.push_back(MD);
  }
  std::vector<MethodFacts> Methods;
  for (const CXXMethodDecl *MD : All) {
    if (MD->isImplicit() || MD->isStatic())
      continue;
    const FunctionDecl *Def = bodyOf(MD);
    bool Ctor = isa<CXXConstructorDecl>(MD);
    if (!Def ||
        (!MD->getIdentifier() && !isa<CXXDestructorDecl>(MD) && !Ctor))
      continue;
    MethodFacts F;
    F.MD = MD;
    F.Name = MD->getIdentifier() ? MD->getName().str() : std::string();
    // A constructor counts only through the threads it starts: the class's
    // own workers receiving (a thread pool).
    MethodWalker(F, Models, Flags, Ctor).walk(Def->getBody());
    if (Ctor) {
      F.FlagSets.clear();
      F.Adds.clear();
      F.Notifies.clear();
    }
    Methods.push_back(std::move(F));
  }

  // The closed state: a flag some method sets and notifies a condition
  // variable after, and some receive waits on.
  ChannelModel C;
  C.Types = {modelName(RD)};
  C.Inferred = true;
  const FieldDecl *Closed = nullptr;
  const FieldDecl *CV = nullptr;
  const FieldDecl *Items = nullptr;
  // Direct receives: wait on a cv until the flag or the container, then
  // take from that container.
  std::set<std::string> ReceiveNames;
  for (const MethodFacts &M : Methods) {
    bool Ctor = isa<CXXConstructorDecl>(M.MD);
    if ((M.Name.empty() && !Ctor) || !M.FlagSets.empty())
      continue;
    for (const MethodFacts::Wait &W : M.Waits)
      for (const FieldDecl *Fl : Flags) {
        if (!W.PredicateFields.contains(Fl))
          continue;
        for (const FieldDecl *X : M.Removes)
          if (W.PredicateFields.contains(X)) {
            if ((Closed && Closed != Fl) || (Items && Items != X) ||
                (CV && CV != W.CV))
              return std::nullopt; // two shapes in one class: unsure
            Closed = Fl;
            Items = X;
            CV = W.CV;
            if (Ctor)
              continue; // the class's own workers: no receive method
            ReceiveNames.insert(M.Name);
            (W.Timed ? C.TimedReceive : C.Receive).push_back(M.Name);
          }
      }
  }
  if (!Closed)
    return std::nullopt;
  C.ClosedState = Closed->getName().str();
  for (auto *L : {&C.Receive, &C.TimedReceive}) {
    llvm::sort(*L);
    L->erase(std::unique(L->begin(), L->end()), L->end());
  }
  // Closes: set the flag and wake the receivers.
  bool ClosedBy = false;
  std::optional<bool> ClosedValue;
  for (const MethodFacts &M : Methods) {
    auto It = M.FlagSets.find(Closed);
    if (It == M.FlagSets.end())
      continue;
    if (!M.Notifies.contains(CV) || !M.Waits.empty() ||
        isa<CXXConstructorDecl>(M.MD))
      continue; // a set without the wake-up does not end the receivers
    if (ClosedValue && *ClosedValue != It->second)
      return std::nullopt;
    ClosedValue = It->second;
    ClosedBy = true;
    if (isa<CXXDestructorDecl>(M.MD))
      C.ClosesOnDestruction = true;
    else
      C.Close.push_back(M.Name);
  }
  if (!ClosedBy)
    return std::nullopt;
  // A method that sets the flag to the closed value without notifying: the
  // close is not a reliable wake-up; leave the class alone.
  for (const MethodFacts &M : Methods) {
    auto It = M.FlagSets.find(Closed);
    if (It != M.FlagSets.end() && It->second == *ClosedValue &&
        !M.Notifies.contains(CV) && !isa<CXXConstructorDecl>(M.MD))
      return std::nullopt;
  }
  // Sends: add to the container and notify.
  for (const MethodFacts &M : Methods)
    if (!M.Name.empty() && M.Adds.contains(Items) && !M.Notifies.empty() &&
        !M.FlagSets.count(Closed) && !ReceiveNames.count(M.Name))
      C.Send.push_back(M.Name);
  if (C.Send.empty())
    return std::nullopt;
  // Receives by delegation: a method that calls a receive and does not
  // wait itself (`bool read(T &v) { auto x = pop(); … }`).
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (const MethodFacts &M : Methods) {
      if (M.Name.empty() || ReceiveNames.count(M.Name) || !M.Waits.empty() ||
          !M.FlagSets.empty())
        continue;
      for (const std::string &Called : M.OwnCalls)
        if (ReceiveNames.count(Called)) {
          bool Timed = llvm::is_contained(C.TimedReceive, Called);
          (Timed ? C.TimedReceive : C.Receive).push_back(M.Name);
          ReceiveNames.insert(M.Name);
          Changed = true;
          break;
        }
    }
  }
  // The closed form of each receive.
  for (const MethodFacts &M : Methods)
    if (ReceiveNames.count(M.Name))
      if (auto R = closedFormOf(M, Models))
        C.ReceiveClosed.push_back(std::move(*R));
  // is_closed: a const query of the flag.
  for (const MethodFacts &M : Methods)
    if (!M.Name.empty() && M.MD->isConst() &&
        M.MD->getReturnType()->isBooleanType() && M.Waits.empty() &&
        M.Removes.empty() && refersToField(bodyOf(M.MD)->getBody(), Closed) &&
        !ReceiveNames.count(M.Name)) {
      // `return !open_;` for a flag that is cleared on close reads "open".
      (*ClosedValue ? C.IsClosed : C.IsOpen).push_back(M.Name);
    }
  // A send after close: what the send does when it reads the flag.
  for (const MethodFacts &M : Methods)
    if (llvm::is_contained(C.Send, M.Name)) {
      if (!M.ThrownUnderFlag.empty())
        C.OnSendAfterClose = SendAfterClose::Throws;
      else if (M.ReturnsFalseUnderFlag)
        C.OnSendAfterClose = SendAfterClose::ReturnsFalse;
    }
  return C;
}

// Infers the stop-source model of one class, if its shape is certain: a
// flag that a request method sets and wakes a condition variable after, and
// a wait on that condition variable until the flag is set — a stop signal
// threads sleep on (`bool wait_for(d) { cv_.wait_for(lk, d, [&]{ return
// stop_; }); … }`). Const methods returning the flag are its queries.
std::optional<CancelSourceModel> inferStopSource(const CXXRecordDecl *RD,
                                                 const ModelSet &Models) {
  llvm::SmallPtrSet<const FieldDecl *, 4> Flags, CVs;
  if (!flagsAndCondVars(RD, Models, Flags, CVs))
    return std::nullopt;
  std::vector<MethodFacts> Methods;
  for (const Decl *D : RD->decls()) {
    if (const auto *FT = dyn_cast<FunctionTemplateDecl>(D))
      D = FT->getTemplatedDecl();
    const auto *MD = dyn_cast<CXXMethodDecl>(D);
    if (!MD || MD->isImplicit() || MD->isStatic() ||
        isa<CXXConstructorDecl>(MD))
      continue;
    const FunctionDecl *Def = bodyOf(MD);
    if (!Def || (!MD->getIdentifier() && !isa<CXXDestructorDecl>(MD)))
      continue;
    MethodFacts F;
    F.MD = MD;
    F.Name = MD->getIdentifier() ? MD->getName().str() : std::string();
    MethodWalker(F, Models, Flags).walk(Def->getBody());
    Methods.push_back(std::move(F));
  }
  // The waits: on one condition variable until one flag and nothing else
  // (a wait that also reads a queue is a worker's, not a stop signal's).
  const FieldDecl *Stop = nullptr, *CV = nullptr;
  bool Waited = false;
  for (const MethodFacts &M : Methods) {
    if (M.Name.empty() || !M.FlagSets.empty())
      continue;
    for (const MethodFacts::Wait &W : M.Waits) {
      const FieldDecl *Read = nullptr;
      for (const FieldDecl *Fl : Flags)
        if (W.PredicateFields.contains(Fl)) {
          if (Read)
            return std::nullopt; // two flags in one wait: which is stop?
          Read = Fl;
        }
      if (!Read)
        continue;
      if (W.PredicateFields.size() != 1 || !M.Removes.empty() || (Stop && Stop != Read) || (CV && CV != W.CV))
        return std::nullopt;
      Stop = Read;
      CV = W.CV;
      Waited = true;
    }
  }
  if (!Waited)
    return std::nullopt;
  // The requests: set the flag and wake the waiters, and nothing else sets
  // it to that value without the wake-up.
  CancelSourceModel S;
  S.Type = modelName(RD);
  std::optional<bool> Value;
  for (const MethodFacts &M : Methods) {
    auto It = M.FlagSets.find(Stop);
    if (It == M.FlagSets.end() || !M.Notifies.contains(CV) ||
        !M.Waits.empty())
      continue;
    if (Value && *Value != It->second)
      return std::nullopt;
    Value = It->second;
    if (isa<CXXDestructorDecl>(M.MD))
      S.RequestsOnDestruction = true;
    else
      S.Request.push_back(M.Name);
  }
  if (S.Request.empty())
    return std::nullopt;
  for (const MethodFacts &M : Methods) {
    auto It = M.FlagSets.find(Stop);
    if (It != M.FlagSets.end() && It->second == *Value &&
        !M.Notifies.contains(CV))
      return std::nullopt;
  }
  // Queries: `bool stop_requested() const { return stop_; }`. A flag
  // cleared on the request (`running_ = false`) reads the other way round:
  // no query is certain then.
  if (*Value)
    for (const MethodFacts &M : Methods)
      if (!M.Name.empty() && M.MD->isConst() &&
          M.MD->getReturnType()->isBooleanType() && M.Waits.empty() &&
          !llvm::is_contained(S.Request, M.Name)) {
        const auto *R = dyn_cast_or_null<ReturnStmt>(
            [&]() -> const Stmt * {
              const auto *CS =
                  dyn_cast_or_null<CompoundStmt>(bodyOf(M.MD)->getBody());
              return CS && CS->size() == 1 ? CS->body_front() : nullptr;
            }());
        const Expr *V = R ? R->getRetValue() : nullptr;
        if (!V)
          continue;
        V = V->IgnoreParenImpCasts();
        // `return stop_;` or `return stop_.load();`: the flag itself.
        if (const auto *MC = dyn_cast<CXXMemberCallExpr>(V))
          V = MC->getImplicitObjectArgument()->IgnoreParenImpCasts();
        if (thisField(V) == Stop)
          S.Query.push_back(M.Name);
      }
  llvm::sort(S.Request);
  llvm::sort(S.Query);
  return S;
}

// Does a model describe RD or one of its bases?
bool modelled(const CXXRecordDecl *RD, const ModelSet &Known, int Depth = 0) {
  if (!RD || Depth > 6)
    return false;
  std::string N = modelName(RD);
  if (Known.channelForType(N) || Known.spawnForType(N) ||
      Known.cancelSourceForType(N) || Known.cancelTokenForType(N))
    return true;
  if (!RD->hasDefinition())
    return false;
  for (const CXXBaseSpecifier &B : RD->getDefinition()->bases())
    if (modelled(B.getType()->getAsCXXRecordDecl(), Known, Depth + 1))
      return true;
  return false;
}

class Collector : public RecursiveASTVisitor<Collector> {
public:
  Collector(ASTContext &AST, const ModelSet &Known, ApiModel &Out)
      : AST(AST), Known(Known), Out(Out) {}
  bool shouldVisitTemplateInstantiations() const { return false; }

  bool VisitCXXRecordDecl(CXXRecordDecl *RD) {
    if (!RD->isThisDeclarationADefinition() || RD->isLambda() ||
        RD->isImplicit() || isa<ClassTemplateSpecializationDecl>(RD) ||
        inSystemHeader(AST.getSourceManager(), RD->getLocation()))
      return true;
    if (modelled(RD, Known))
      return true; // someone wrote a model for it
    std::string Name = modelName(RD);
    if (Name.empty() || Name.find("(anonymous") != std::string::npos ||
        !Seen.insert(Name).second)
      return true;
    if (auto C = inferChannel(RD, Known))
      Out.Channels.push_back(std::move(*C));
    else if (auto S = inferStopSource(RD, Known))
      Out.Cancellation.Sources.push_back(std::move(*S));
    return true;
  }

private:
  ASTContext &AST;
  const ModelSet &Known;
  ApiModel &Out;
  std::set<std::string> Seen;
};

} // namespace

ApiModel inferModels(ASTContext &AST, const ModelSet &Known) {
  ApiModel M;
  M.Library = "inferred";
  M.Description = "channels and stop sources read off the project's own "
                  "classes";
  M.Origin = "<inferred>";
  Collector(AST, Known, M).TraverseAST(AST);
  return M;
}

namespace {
// Does S leave the function (a throw or a return, not inside a lambda)?
bool leavesFunction(const Stmt *S) {
  if (!S || isa<LambdaExpr>(S))
    return false;
  if (isa<CXXThrowExpr, ReturnStmt>(S))
    return true;
  for (const Stmt *C : S->children())
    if (leavesFunction(C))
      return true;
  return false;
}

// The first read of field F in S.
const Expr *readOf(const Stmt *S, const FieldDecl *F) {
  if (!S)
    return nullptr;
  if (const auto *ME = dyn_cast<MemberExpr>(S); ME && ME->getMemberDecl() == F)
    return ME;
  for (const Stmt *C : S->children())
    if (const Expr *E = readOf(C, F))
      return E;
  return nullptr;
}

// The ifs whose condition reads F and whose branch leaves the function, and
// the adds to fields (`q_.push(x)`), in order, outside lambdas.
void collectTestsAndPushes(const Stmt *S, const FieldDecl *Closed,
                           const ModelSet &Models,
                           std::vector<const Expr *> &Tests,
                           std::vector<const Expr *> &Pushes) {
  if (!S || isa<LambdaExpr>(S))
    return;
  if (const auto *If = dyn_cast<IfStmt>(S))
    if (const Expr *R = readOf(If->getCond(), Closed);
        R && (leavesFunction(If->getThen()) || leavesFunction(If->getElse())))
      Tests.push_back(R);
  if (auto FC = fieldCall(S); FC && isAdd(FC->Name, Models) &&
                              FC->Field != Closed)
    Pushes.push_back(cast<Expr>(S));
  for (const Stmt *C : S->children())
    collectTestsAndPushes(C, Closed, Models, Tests, Pushes);
}
} // namespace

std::optional<UnlockedClosedTest> unlockedClosedTest(FunctionAnalyses &FA,
                                                     const ModelSet &Models) {
  const auto *MD = dyn_cast_or_null<CXXMethodDecl>(FA.function());
  if (!MD || !MD->getIdentifier() || !MD->hasBody())
    return std::nullopt;
  const CXXRecordDecl *RD = MD->getParent();
  const ChannelModel *M = Models.channelForType(modelName(RD));
  if (!M || M->ClosedState.empty() ||
      !llvm::is_contained(M->Send, MD->getName()))
    return std::nullopt;
  const FieldDecl *Closed = nullptr;
  for (const FieldDecl *Fd : RD->fields())
    if (Fd->getName() == M->ClosedState)
      Closed = Fd;
  if (!Closed)
    return std::nullopt;
  std::vector<const Expr *> Tests, Pushes;
  collectTestsAndPushes(MD->getBody(), Closed, Models, Tests, Pushes);
  if (Tests.empty() || Pushes.empty())
    return std::nullopt;
  const LockState &LS = FA.lockState();
  const SourceManager &SM = FA.ast().getSourceManager();
  for (const Expr *Push : Pushes) {
    if (!LS.reached(Push))
      continue;
    llvm::ArrayRef<HeldLock> AtPush = LS.heldAt(Push);
    if (AtPush.empty())
      continue; // the buffer is not guarded here: another question
    for (const Expr *Test : Tests) {
      // The test that refuses the send comes before the push.
      if (!SM.isBeforeInTranslationUnit(Test->getBeginLoc(),
                                        Push->getBeginLoc()) ||
          !LS.reached(Test))
        continue;
      llvm::ArrayRef<HeldLock> AtTest = LS.heldAt(Test);
      for (const HeldLock &L : AtPush) {
        if (!L.Mutex)
          continue;
        bool Held = llvm::any_of(AtTest, [&](const HeldLock &T) {
          return T.Mutex == L.Mutex;
        });
        if (!Held)
          return UnlockedClosedTest{Test, Push, L.describe(), M};
      }
    }
  }
  return std::nullopt;
}

} // namespace tether
