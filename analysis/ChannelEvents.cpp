#include "ChannelEvents.h"
#include "ASTHelpers.h"
#include "AnalysisContext.h"
#include "Spawns.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"

using namespace clang;

namespace tether {

using namespace chan;

namespace {

class BodyWalker {
public:
  BodyWalker(TUContext &TU, const ObjectResolver &R, const Spawns &Started,
             BodyFacts &F)
      : TU(TU), Models(TU.Models), R(R), Started(Started), F(F) {}

  void walk(const Stmt *S, bool ValueUsed, bool InTry) {
    if (!S)
      return;
    Stack.push_back(S);
    visit(S, ValueUsed, InTry);
    if (const auto *L = dyn_cast<LambdaExpr>(S)) {
      // Captures are evaluated here; the body runs elsewhere (a thread, or
      // wherever the lambda is called) and is summarised on its own.
      const LambdaExpr *Outer = CaptureOf;
      CaptureOf = L;
      for (const Expr *Init : L->capture_inits())
        walk(Init, true, InTry);
      CaptureOf = Outer;
    } else if (const auto *Try = dyn_cast<CXXTryStmt>(S)) {
      walk(Try->getTryBlock(), false, true);
      for (unsigned I = 0; I < Try->getNumHandlers(); ++I)
        walk(Try->getHandler(I), false, InTry);
    } else if (const auto *CS = dyn_cast<CompoundStmt>(S)) {
      // Joins that run unconditionally before a statement order it after
      // the joined threads.
      size_t Mark = Joined.size();
      unsigned OnceMark = OnceDepth;
      for (const Stmt *Child : CS->body()) {
        walk(Child, false, InTry);
        noteJoins(Child);
        // `if (stopped_.exchange(true)) return;` guards what follows.
        if (const auto *If = dyn_cast<IfStmt>(Child))
          if (isOnceCondition(If->getCond(), Models) && leavesLoop(If->getThen()))
            ++OnceDepth;
      }
      OnceDepth = OnceMark;
      Joined.resize(Mark);
    } else if (const auto *If = dyn_cast<IfStmt>(S);
               If && isOnceCondition(If->getCond(), Models)) {
      walk(If->getInit(), false, InTry);
      walk(If->getConditionVariableDeclStmt(), false, InTry);
      walk(If->getCond(), true, InTry);
      ++OnceDepth;
      walk(If->getThen(), false, InTry);
      walk(If->getElse(), false, InTry);
      --OnceDepth;
    } else {
      bool ChildUsed = isWrapper(S) ? ValueUsed : true;
      if (isa<IfStmt, WhileStmt, ForStmt, DoStmt, CXXForRangeStmt, SwitchStmt,
              CaseStmt, DefaultStmt, LabelStmt, AttributedStmt>(S))
        ChildUsed = false; // bodies; conditions are refined below
      for (const Stmt *Child : S->children()) {
        bool Used = ChildUsed;
        if (const auto *If = dyn_cast<IfStmt>(S))
          Used = Child == If->getCond();
        else if (const auto *W = dyn_cast<WhileStmt>(S))
          Used = Child == W->getCond();
        else if (const auto *Fr = dyn_cast<ForStmt>(S))
          Used = Child == Fr->getCond();
        else if (const auto *D = dyn_cast<DoStmt>(S))
          Used = Child == D->getCond();
        else if (const auto *Sw = dyn_cast<SwitchStmt>(S))
          Used = Child == Sw->getCond();
        walk(Child, Used, InTry);
      }
    }
    Stack.pop_back();
  }

  // After the walk: uses of channels that no known construct explains are
  // escapes.
  void finish() {
    for (const auto &[E, Lambda] : F.ChanRefs) {
      if (F.Covered.contains(E))
        continue;
      if (Lambda && F.AnalysedLambdas.contains(Lambda))
        continue;
      if (auto K = R.keyOf(E)) {
        ChanEvent Ev{ChanOpKind::Escape, *K, nullptr, E, E, nullptr, false};
        F.Escapes.push_back(std::move(Ev));
      }
    }
  }

private:
  const Stmt *innermostLoop() const {
    for (size_t I = Stack.size(); I-- > 0;) {
      if (isa<LambdaExpr>(Stack[I]))
        return nullptr;
      if (isLoop(Stack[I]))
        return Stack[I];
    }
    return nullptr;
  }

  // `while (true)`, `for (;;)`, `do … while (true)` with no break, return,
  // throw or goto out of it.
  bool endless(const Stmt *Loop) const {
    const Expr *Cond = nullptr;
    const Stmt *Body = nullptr;
    if (const auto *W = dyn_cast<WhileStmt>(Loop)) {
      Cond = W->getCond();
      Body = W->getBody();
    } else if (const auto *Fr = dyn_cast<ForStmt>(Loop)) {
      Cond = Fr->getCond();
      Body = Fr->getBody();
    } else if (const auto *D = dyn_cast<DoStmt>(Loop)) {
      Cond = D->getCond();
      Body = D->getBody();
    } else {
      return false;
    }
    if (Cond) {
      bool Value = false;
      if (Cond->isValueDependent() ||
          !Cond->EvaluateAsBooleanCondition(Value, TU.AST) || !Value)
        return false;
    }
    return countExits(Body) == 0 && !hasGoto(Body);
  }


  bool inLoop() const {
    for (size_t I = 0; I + 1 < Stack.size(); ++I)
      if (isLoop(Stack[I]))
        return true;
    return false;
  }

  // The body of a for, while or do loop (null for a range-for).
  static const Stmt *loopBody(const Stmt *Loop) {
    return isa<CXXForRangeStmt>(Loop) ? nullptr : tether::loopBody(Loop);
  }

  // The condition-variable declaration of an if, while or for
  // (`while (auto v = ch.pop())`), and the condition that tests it.
  static const DeclStmt *conditionVariableStmt(const Stmt *S) {
    if (const auto *W = dyn_cast<WhileStmt>(S))
      return W->getConditionVariableDeclStmt();
    if (const auto *If = dyn_cast<IfStmt>(S))
      return If->getConditionVariableDeclStmt();
    if (const auto *Fr = dyn_cast<ForStmt>(S))
      return Fr->getConditionVariableDeclStmt();
    return nullptr;
  }
  static const Stmt *conditionOf(const Stmt *S) {
    if (const auto *W = dyn_cast<WhileStmt>(S))
      return W->getCond();
    if (const auto *If = dyn_cast<IfStmt>(S))
      return If->getCond();
    if (const auto *Fr = dyn_cast<ForStmt>(S))
      return Fr->getCond();
    return nullptr;
  }

  // Does the result of a receive, kept in VD, tell "closed" by testing
  // false? With the model's closed form (bool, status, optional) yes; a
  // receive the model says nothing about: only when the type cannot carry
  // an element (bool, an enum, std::optional) — a pointer or value tested
  // for null is a sentinel the producer sends, not a close.
  bool resultTellsClosed(const VarDecl *VD,
                         const ReceiveClosedModel *Form) const {
    if (Form)
      return Form->Form == ClosedForm::Bool ||
             Form->Form == ClosedForm::Status ||
             Form->Form == ClosedForm::Optional;
    QualType T = VD->getType().getNonReferenceType().getCanonicalType();
    if (T->isBooleanType() || T->isEnumeralType())
      return true;
    return isOptionalType(T, Models);
  }

  static bool refersTo(const Stmt *S, const VarDecl *VD) {
    if (!S)
      return false;
    if (const auto *DR = dyn_cast<DeclRefExpr>(S))
      return DR->getDecl() == VD;
    for (const Stmt *C : S->children())
      if (refersTo(C, VD))
        return true;
    return false;
  }

  // `auto v = ch.pop(); if (!v) break;`, `st = ch.wait_pull(x); if (st ==
  // status::closed) return;`: the receive's result, kept in VD (declared or
  // assigned at Stack[At]), is tested by ifs that leave the innermost loop,
  // and the loop has no other way out.
  bool resultTestEndsLoop(const VarDecl *VD, size_t At,
                          const ReceiveClosedModel *Form) const {
    if (!resultTellsClosed(VD, Form))
      return false;
    const Stmt *Body = nullptr;
    for (size_t J = At; J-- > 0;) {
      if (isa<LambdaExpr>(Stack[J]))
        return false;
      if (isLoop(Stack[J])) {
        Body = loopBody(Stack[J]);
        break;
      }
    }
    if (!Body)
      return false;
    unsigned Tests = 0;
    std::vector<const Stmt *> Work{Body};
    while (!Work.empty()) {
      const Stmt *S = Work.back();
      Work.pop_back();
      if (!S || isLoop(S) || isa<LambdaExpr, SwitchStmt>(S))
        continue;
      if (const auto *If = dyn_cast<IfStmt>(S);
          If && refersTo(If->getCond(), VD) &&
          (leavesLoop(If->getThen()) || leavesLoop(If->getElse()))) {
        Tests += countExits(If->getThen()) + countExits(If->getElse());
        continue;
      }
      for (const Stmt *C : S->children())
        Work.push_back(C);
    }
    return Tests > 0 && Tests == countExits(Body);
  }

  // A receive whose failure ends the loop around it: `while (ch.pop(v) ==
  // success)`, `for (;;) { if (!ch.read(v)) break; … }`, `while (auto v =
  // ch.pop())`, `auto v = ch.pop(); if (!v) break;`.
  bool receiveEndsLoop(const ReceiveClosedModel *Form) const {
    for (size_t I = Stack.size() - 1; I-- > 0;) {
      const Stmt *P = Stack[I], *Child = Stack[I + 1];
      if (isa<LambdaExpr>(P))
        return false;
      if (const auto *DS = dyn_cast<DeclStmt>(P)) {
        const auto *VD = DS->isSingleDecl()
                             ? dyn_cast<VarDecl>(DS->getSingleDecl())
                             : nullptr;
        if (!VD || !resultTellsClosed(VD, Form))
          return false;
        // The declaration is the condition of the statement around it:
        // the loop or if tests the variable.
        if (I > 0 && conditionVariableStmt(Stack[I - 1]) == DS) {
          const Stmt *Cond = conditionOf(Stack[I - 1]);
          if (!Cond)
            return false;
          // Continue one level up as if the receive were the condition.
          return condEndsLoop(Stack[I - 1], Cond, I - 1);
        }
        return resultTestEndsLoop(VD, I, Form);
      }
      if (const auto *BO = dyn_cast<BinaryOperator>(P);
          BO && BO->getOpcode() == BO_Assign && Child == BO->getRHS()) {
        const auto *DR = dyn_cast<DeclRefExpr>(BO->getLHS()->IgnoreParenImpCasts());
        const auto *VD = DR ? dyn_cast<VarDecl>(DR->getDecl()) : nullptr;
        return VD && VD->hasLocalStorage() && resultTestEndsLoop(VD, I, Form);
      }
      if (isa<WhileStmt, ForStmt, DoStmt, IfStmt>(P))
        return condEndsLoop(P, Child, I);
      if (isa<CompoundStmt, CXXForRangeStmt, SwitchStmt>(P))
        return false;
    }
    return false;
  }

  // The receive is (in) Child, a part of P = Stack[I]: is Child P's
  // condition, and does its failing end the loop?
  bool condEndsLoop(const Stmt *P, const Stmt *Child, size_t I) const {
    // The loop must have no other way out: a loop that also breaks on some
    // value (or when the channel looks empty) does not wait for the close.
    if (const auto *W = dyn_cast<WhileStmt>(P))
      return Child == W->getCond() && countExits(W->getBody()) == 0;
    if (const auto *Fr = dyn_cast<ForStmt>(P))
      return Child == Fr->getCond() && countExits(Fr->getBody()) == 0;
    if (const auto *D = dyn_cast<DoStmt>(P))
      return Child == D->getCond() && countExits(D->getBody()) == 0;
    const auto *If = dyn_cast<IfStmt>(P);
    if (!If || Child != If->getCond())
      return false;
    if (!leavesLoop(If->getThen()) && !leavesLoop(If->getElse()))
      return false;
    for (size_t J = I; J-- > 0;) {
      if (isa<LambdaExpr>(Stack[J]))
        return false;
      if (isLoop(Stack[J])) {
        const Stmt *Body = loopBody(Stack[J]);
        return Body && countExits(Body) == countExits(If->getThen()) +
                                               countExits(If->getElse());
      }
    }
    return false;
  }

  // Does a handler of Try catch the exception a receive throws on close
  // (its class by name, or everything)?
  static bool catchesClosed(const CXXTryStmt *Try, llvm::StringRef Exception,
                            const CXXCatchStmt *&Handler) {
    for (unsigned H = 0; H < Try->getNumHandlers(); ++H) {
      const CXXCatchStmt *C = Try->getHandler(H);
      QualType T = C->getCaughtType();
      const CXXRecordDecl *RD =
          T.isNull() ? nullptr
                     : T.getNonReferenceType()->getAsCXXRecordDecl();
      if (T.isNull() || (RD && modelName(RD) == Exception)) {
        Handler = C;
        return true;
      }
    }
    return false;
  }

  // A receive that throws Exception on close, in a loop that only the
  // exception ends: `for (;;) { try { q.pull(v); } catch (closed &) {
  // return; } … }`, or the loop inside the try block.
  bool catchEndsLoop(llvm::StringRef Exception) const {
    const Stmt *Loop = nullptr;
    const CXXCatchStmt *Handler = nullptr;
    bool TryInLoop = false;
    for (size_t I = Stack.size() - 1; I-- > 0;) {
      const Stmt *P = Stack[I], *Child = Stack[I + 1];
      if (isa<LambdaExpr>(P))
        return false;
      if (isLoop(P) && !Loop) {
        if (isa<CXXForRangeStmt>(P))
          return false;
        Loop = P;
        if (Handler)
          break;
      }
      if (const auto *Try = dyn_cast<CXXTryStmt>(P);
          Try && !Handler && Child == Try->getTryBlock()) {
        if (!catchesClosed(Try, Exception, Handler))
          return false;
        TryInLoop = !Loop;
        if (Loop)
          break;
      }
    }
    if (!Loop || !Handler)
      return false;
    const Stmt *Body = loopBody(Loop);
    if (!TryInLoop)
      return countExits(Body) == 0; // only the exception leaves the loop
    return leavesLoop(Handler->getHandlerBlock()) &&
           countExits(Body) == countExits(Handler->getHandlerBlock());
  }

  // The closed form the model gives the receive Op, or null.
  static const ReceiveClosedModel *closedFormOf(const ChanEvent &Ev) {
    if (!Ev.Model || !Ev.Op)
      return nullptr;
    auto S = callShape(Ev.Op);
    return S ? Ev.Model->closedForm(S->Name) : nullptr;
  }

  // Does this receive end only when the channel is closed (and drained)?
  bool receiveWaitsClose(const ChanEvent &Ev, bool ValueUsed) const {
    if (Ev.Model && Ev.Model->Closeless)
      return false; // no close to wait for: a sentinel or a timeout ends it
    const ReceiveClosedModel *Form = closedFormOf(Ev);
    if (Form && Form->Form == ClosedForm::Exception)
      return catchEndsLoop(Form->Exception);
    return ValueUsed && receiveEndsLoop(Form);
  }

  // Marks the channel uses inside E as understood.
  void cover(const Expr *E) {
    if (!E)
      return;
    E = stripWrappers(E);
    if (isa<DeclRefExpr>(E)) {
      F.Covered.insert(E);
      return;
    }
    if (const auto *ME = dyn_cast<MemberExpr>(E)) {
      F.Covered.insert(E);
      cover(ME->getBase());
      return;
    }
    if (const auto *UO = dyn_cast<UnaryOperator>(E)) {
      if (UO->getOpcode() == UO_Deref || UO->getOpcode() == UO_AddrOf)
        cover(UO->getSubExpr());
      return;
    }
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
      if ((Op->getOperator() == OO_Star || Op->getOperator() == OO_Arrow) &&
          Op->getNumArgs() >= 1)
        cover(Op->getArg(0));
      return;
    }
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E))
      if (const CXXMethodDecl *MD = MC->getMethodDecl())
        if (followsConvention(MD, ModelSet::Convention::Unwrap, Models))
          cover(MC->getImplicitObjectArgument());
  }

  void markLambdaAnalysed(const Expr *Callable) {
    if (!Callable)
      return;
    const Expr *E = stripWrappers(Callable);
    if (const auto *L = dyn_cast<LambdaExpr>(E)) {
      F.AnalysedLambdas.insert(L);
      return;
    }
    if (const auto *DR = dyn_cast<DeclRefExpr>(E))
      if (const auto *VD = dyn_cast<VarDecl>(DR->getDecl()))
        if (VD->hasInit() && VD->isLocalVarDecl())
          if (const auto *L =
                  dyn_cast<LambdaExpr>(stripWrappers(VD->getInit())))
            F.AnalysedLambdas.insert(L);
  }

  // Joins run by statement Child as a whole: `t.join();`, and
  // `for (auto &t : workers) t.join();`.
  void noteJoins(const Stmt *Child) {
    const Stmt *S = Child;
    if (const auto *EWC = dyn_cast<ExprWithCleanups>(S))
      S = EWC->getSubExpr();
    auto JoinIn = [&](const Stmt *St) -> std::optional<ObjectKey> {
      if (const auto *CS = dyn_cast<CompoundStmt>(St))
        St = CS->size() == 1 ? CS->body_front() : nullptr;
      const auto *E = dyn_cast_or_null<Expr>(St);
      if (!E)
        return std::nullopt;
      if (auto HOp = matchHandleOp(E, Models))
        if (HOp->Kind == HandleOpKind::Join)
          return joinedHandle(HOp->Object, R, F.RangeVars);
      return std::nullopt;
    };
    std::optional<ObjectKey> K;
    if (const auto *RF = dyn_cast<CXXForRangeStmt>(S))
      K = JoinIn(RF->getBody());
    else if (const auto *Fr = dyn_cast<ForStmt>(S))
      K = JoinIn(Fr->getBody());
    else if (const auto *E = dyn_cast<Expr>(S); E && forEachJoin(E, R, Models))
      K = forEachJoin(E, R, Models);
    else if (const auto *E = dyn_cast<Expr>(S); E && latchWaited(E, Models))
      K = R.keyOf(latchWaited(E, Models)); // `done.wait();`: a wait group
    else
      K = JoinIn(S);
    if (K)
      Joined.push_back(*K);
  }

  void record(ChanEvent Ev, bool ValueUsed) {
    Ev.InLoop = inLoop();
    Ev.Once = OnceDepth > 0;
    Ev.JoinedBefore.assign(Joined.begin(), Joined.end());
    if (Ev.Kind == ChanOpKind::Receive) {
      Ev.WaitsClose = receiveWaitsClose(Ev, ValueUsed);
      if (Ev.WaitsClose)
        if (const Stmt *L = innermostLoop())
          DrainLoops[L].push_back(Ev.Key);
    }
    if (isSendOp(Ev.Kind))
      for (size_t I = Stack.size(); I-- > 0;) {
        if (isa<LambdaExpr>(Stack[I]))
          break;
        if (!isLoop(Stack[I]))
          continue;
        Ev.Endless |= endless(Stack[I]);
        auto It = DrainLoops.find(Stack[I]);
        if (It != DrainLoops.end())
          Ev.InDrainOf.append(It->second.begin(), It->second.end());
      }
    F.OpIndex[Ev.Op] = F.Ops.size();
    F.Ops.push_back(std::move(Ev));
  }

  void visitDecl(const VarDecl *VD) {
    const Expr *Init = VD->getInit();
    if (!Init)
      return;
    bool Holds = holdsChannel(VD->getType(), Models);
    // An alias (`auto &c = *ch;`, `auto p = sp;`): its uses stand for the
    // original's.
    if (Holds && R.keyOf(Init)) {
      cover(Init);
      return;
    }
    if (!Holds || isa<ParmVarDecl>(VD) || !VD->hasLocalStorage())
      return;
    if (const CallExpr *Gen = generatorCall(Init)) {
      if (summarisableCall(Gen, TU.Linked)) {
        ObjectKey K;
        K.Root = VD;
        F.CallDest[Gen] = K;
        return;
      }
    }
    if (!createsChannel(Init, Models))
      F.NotFresh.insert(VD);
  }

  void visit(const Stmt *S, bool ValueUsed, bool InTry) {
    if (isLoop(S))
      F.Loops.push_back(S);
    if (const auto *DS = dyn_cast<DeclStmt>(S)) {
      for (const Decl *D : DS->decls())
        if (const auto *VD = dyn_cast<VarDecl>(D)) {
          visitDecl(VD);
          for (size_t I = Stack.size() - 1; I-- > 0;)
            if (isLoop(Stack[I])) {
              F.DeclLoop[VD] = Stack[I];
              break;
            }
        }
      return;
    }
    if (const auto *RS = dyn_cast<ReturnStmt>(S)) {
      if (const Expr *V = RS->getRetValue()) {
        cover(V);
        if (auto K = R.keyOf(V); K && K->ThisBased &&
                                 holdsChannel(V->getType(), Models)) {
          // A member handed out (`return jobs_;`): the caller may close it.
          ChanEvent Ev{ChanOpKind::Escape, *K, nullptr, V, V, nullptr, false};
          F.Escapes.push_back(std::move(Ev));
        }
        bool Local = false;
        if (auto K = R.keyOf(V))
          if (K->Path.empty() && !K->ThisBased)
            if (const auto *VD = dyn_cast_or_null<VarDecl>(K->Root))
              if (VD->hasLocalStorage() && !isa<ParmVarDecl>(VD) &&
                  holdsChannel(VD->getType(), Models)) {
                F.ReturnedLocals.insert(VD);
                Local = true;
              }
        // Returning a member, a parameter, a global or a call's result: the
        // caller does not get a channel of its own.
        if (!Local && holdsChannel(V->getType(), Models) &&
            !createsChannel(V, Models))
          F.ReturnsForeign = true;
      }
      return;
    }
    if (const auto *RF = dyn_cast<CXXForRangeStmt>(S)) {
      if (const VarDecl *LV = RF->getLoopVariable())
        if (auto K = R.keyOf(RF->getRangeInit()))
          F.RangeVars[LV] = *K;
      const Expr *Init = RF->getRangeInit();
      if (const ChannelModel *M = channelModelOf(Init->getType(), Models);
          M && M->Range) {
        std::optional<ObjectKey> K = R.keyOf(Init);
        if (!K)
          if (const VarDecl *RV = RF->getRangeStmt()
                                      ? dyn_cast_or_null<VarDecl>(
                                            RF->getRangeStmt()->getSingleDecl())
                                      : nullptr) {
            K = ObjectKey();
            K->Root = RV;
          }
        if (K) {
          cover(Init);
          ChanEvent Ev{ChanOpKind::Receive, *K, M, Init, Init, nullptr, false};
          record(std::move(Ev), false);
          // Only a loop that has no other way out waits for the close.
          F.Ops.back().WaitsClose = countExits(RF->getBody()) == 0;
          if (F.Ops.back().WaitsClose)
            DrainLoops[RF].push_back(*K);
        }
      }
      return;
    }
    const auto *E = dyn_cast<Expr>(S);
    if (!E)
      return;
    if (const auto *DR = dyn_cast<DeclRefExpr>(E)) {
      if (const auto *VD = dyn_cast<VarDecl>(DR->getDecl()))
        if (!VD->isImplicit() && !VD->hasGlobalStorage() &&
            holdsChannel(VD->getType(), Models))
          F.ChanRefs.push_back({E, CaptureOf});
      return;
    }
    if (const auto *ME = dyn_cast<MemberExpr>(E)) {
      if (isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()) &&
          isa<FieldDecl>(ME->getMemberDecl()) &&
          holdsChannel(ME->getMemberDecl()->getType(), Models))
        F.ChanRefs.push_back({E, CaptureOf});
      return;
    }
    if (auto Op = matchChanOp(E, Models)) {
      cover(Op->Object);
      if (auto K = R.keyOf(Op->Object)) {
        ChanEvent Ev{Op->Kind, *K, Op->Model, E, E, nullptr,
                     ValueUsed || InTry};
        record(std::move(Ev), ValueUsed);
      }
      return;
    }
    if (auto Sp = matchSpawn(E, Models)) {
      // Arguments handed to a body the analysis follows are understood;
      // to an unknown one, they escape.
      bool Known = spawnBody(*Sp) != nullptr;
      if (!Known && Sp->Callable)
        if (const auto *DR = dyn_cast<DeclRefExpr>(stripWrappers(Sp->Callable)))
          if (const auto *Fn = dyn_cast<FunctionDecl>(DR->getDecl()))
            Known = summaryDecl(Fn, TU.Linked) != nullptr;
      if (Known)
        for (const Expr *A : Sp->Args)
          cover(A);
      markLambdaAnalysed(Sp->Callable);
      // A thread function defined in another TU: the link phase may know it.
      if (Sp->Callable)
        if (const auto *DR = dyn_cast<DeclRefExpr>(stripWrappers(Sp->Callable)))
          if (const auto *Fn = dyn_cast<FunctionDecl>(DR->getDecl());
              Fn && externalUserFunction(Fn))
            TU.ExternalCallees.insert(usrOf(Fn->getCanonicalDecl()));
      for (size_t I = 0; I + 1 < Stack.size(); ++I)
        if (isLoop(Stack[I]))
          F.SpawnLoops[E].push_back(Stack[I]);
      // Where the handle goes is the Spawns analysis' answer.
      SpawnRec Rec{*Sp, std::nullopt, false, false};
      if (const Spawn *S = Started.find(E)) {
        Rec.Handle = S->Storage;
        Rec.Group = S->InContainer;
        Rec.Detached = S->Fate == HandleFate::Detached;
      }
      F.SpawnIndex[E] = F.Spawns.size();
      F.Spawns.push_back(std::move(Rec));
      return;
    }
    if (auto HOp = matchHandleOp(E, Models)) {
      if (HOp->Kind == HandleOpKind::Detach)
        if (auto K = joinedHandle(HOp->Object, R, F.RangeVars))
          F.Detached.push_back(*K);
      return;
    }
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      const FunctionDecl *Callee = Call->getDirectCallee();
      if (!summaryDecl(Callee, TU.Linked) && externalUserFunction(Callee)) {
        F.ExtCalls.push_back(Call);
        TU.ExternalCallees.insert(usrOf(Callee->getCanonicalDecl()));
      }
      if (summaryDecl(Callee, TU.Linked)) {
        F.Calls.push_back(Call);
        for (const Expr *A : Call->arguments())
          cover(A);
        if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call))
          cover(MC->getImplicitObjectArgument());
        if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call))
          if (Op->getOperator() == OO_Call && Op->getNumArgs() >= 1)
            markLambdaAnalysed(Op->getArg(0));
      } else if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call)) {
        // Const queries on a channel (size(), empty()) leave it alone.
        if (const CXXMethodDecl *MD = MC->getMethodDecl())
          if (MD->isConst() &&
              holdsChannel(MC->getImplicitObjectArgument()->getType(), Models))
            cover(MC->getImplicitObjectArgument());
      }
    }
  }


  TUContext &TU;
  const ModelSet &Models;
  const ObjectResolver &R;
  const Spawns &Started;
  BodyFacts &F;
  std::vector<const Stmt *> Stack;
  std::vector<ObjectKey> Joined;
  const LambdaExpr *CaptureOf = nullptr;
  unsigned OnceDepth = 0;
  // Loops that drain a channel until it is closed, with the channel.
  llvm::DenseMap<const Stmt *, llvm::SmallVector<ObjectKey, 1>> DrainLoops;
};

} // namespace

BodyFacts collectFacts(const Stmt *Body, TUContext &TU,
                       const ObjectResolver &R, const Spawns &Started) {
  BodyFacts F;
  BodyWalker W(TU, R, Started, F);
  W.walk(Body, false, false);
  W.finish();
  return F;
}

clang::SourceLocation ChanEvent::opLoc() const {
  if (Op)
    return Op->getExprLoc();
  return Site ? Site->getExprLoc() : clang::SourceLocation();
}

} // namespace tether
