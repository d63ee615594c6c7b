#include "CountOrigin.h"
#include "ASTHelpers.h"
#include "AnalysisContext.h"
#include "ApiModel.h"
#include "ModelMatch.h"
#include "SpawnLoops.h"

#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/StmtCXX.h"

#include <functional>

using namespace clang;

namespace tether {
namespace {

// How far a number is followed: through expressions, locals and the loops
// that fill a container (Depth), and through callers (CallerDepth).
constexpr int MaxDepth = 6;
constexpr int MaxCallerDepth = 3;

// Looks through the implicit nodes around a value: casts, temporaries,
// full-expression cleanups, parentheses.
const Expr *strip(const Expr *E) {
  const Expr *Prev = nullptr;
  while (E && E != Prev) {
    Prev = E;
    E = E->IgnoreImplicit()->IgnoreParenImpCasts();
    if (const auto *FC = dyn_cast<CXXFunctionalCastExpr>(E))
      E = FC->getSubExpr();
  }
  return E;
}

const ValueDecl *referencedDecl(const Expr *E) {
  E = strip(E);
  if (const auto *U = dyn_cast<UnaryOperator>(E);
      U && U->getOpcode() == UO_AddrOf)
    E = strip(U->getSubExpr());
  if (const auto *DR = dyn_cast_or_null<DeclRefExpr>(E))
    return DR->getDecl();
  return nullptr;
}

// The variable or member an expression names, or null.
const ValueDecl *namedDecl(const Expr *E) {
  E = strip(E);
  if (const auto *DR = dyn_cast_or_null<DeclRefExpr>(E))
    return DR->getDecl();
  if (const auto *ME = dyn_cast_or_null<MemberExpr>(E))
    return ME->getMemberDecl();
  return nullptr;
}

// Does E (or `&E`) name V: the variable itself, or the member V of any
// object?
bool names(const Expr *E, const ValueDecl *V) {
  E = strip(E);
  if (const auto *U = dyn_cast_or_null<UnaryOperator>(E);
      U && U->getOpcode() == UO_AddrOf)
    E = U->getSubExpr();
  const ValueDecl *D = namedDecl(E);
  return D && D->getCanonicalDecl() == V->getCanonicalDecl();
}

std::string functionLabel(const FunctionDecl *FD) {
  if (const auto *MD = dyn_cast<CXXMethodDecl>(FD))
    if (MD->getParent()->isLambda())
      return "a lambda";
  return "'" + FD->getNameAsString() + "'";
}

// Collects, for every function of the TU (outside system headers and
// uninstantiated templates), the direct calls made to it with their
// arguments in parameter order, and whether it is also referenced some
// other way (its address taken, passed as a callable).
class CallIndexer : public RecursiveASTVisitor<CallIndexer> {
public:
  using Sink = std::function<void(const FunctionDecl *Callee,
                                  const FunctionDecl *Caller,
                                  std::vector<const Expr *> Args)>;
  using Escape = std::function<void(const FunctionDecl *)>;
  using FieldUse =
      std::function<void(const FieldDecl *, const FunctionDecl *User)>;
  CallIndexer(const SourceManager &SM, Sink OnCall, Escape OnEscape,
              FieldUse OnField)
      : SM(SM), OnCall(std::move(OnCall)), OnEscape(std::move(OnEscape)),
        OnField(std::move(OnField)) {}

  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitImplicitCode() const { return true; }

  bool TraverseDecl(Decl *D) {
    if (!D)
      return true;
    if (!isa<TranslationUnitDecl>(D) && D->getLocation().isValid() &&
        inSystemHeader(SM, D->getLocation()))
      return true;
    auto *FD = dyn_cast<FunctionDecl>(D);
    if (FD && FD->isDependentContext())
      return true;
    const FunctionDecl *Saved = Current;
    if (FD)
      Current = FD;
    bool R = RecursiveASTVisitor::TraverseDecl(D);
    Current = Saved;
    return R;
  }

  bool VisitCallExpr(CallExpr *C) {
    const FunctionDecl *Callee = C->getDirectCallee();
    if (!Callee)
      return true;
    if (const auto *DR = dyn_cast<DeclRefExpr>(C->getCallee()->IgnoreParenImpCasts()))
      Callees.insert(DR);
    std::vector<const Expr *> Args(C->arg_begin(), C->arg_end());
    // A member operator called as `a op b` has its object first.
    if (isa<CXXOperatorCallExpr>(C) && isa<CXXMethodDecl>(Callee) &&
        !Args.empty())
      Args.erase(Args.begin());
    OnCall(Callee, Current, std::move(Args));
    return true;
  }

  bool VisitCXXConstructExpr(CXXConstructExpr *C) {
    if (const CXXConstructorDecl *Ctor = C->getConstructor())
      OnCall(Ctor, Current,
             std::vector<const Expr *>(C->arg_begin(), C->arg_end()));
    return true;
  }

  bool VisitDeclRefExpr(DeclRefExpr *DR) {
    if (const auto *FD = dyn_cast<FunctionDecl>(DR->getDecl()))
      Refs.push_back({DR, FD});
    return true;
  }

  bool VisitMemberExpr(MemberExpr *ME) {
    if (const auto *F = dyn_cast<FieldDecl>(ME->getMemberDecl()); F && Current)
      OnField(F, Current);
    return true;
  }

  // A constructor's member initialisers name their members too.
  bool TraverseConstructorInitializer(CXXCtorInitializer *I) {
    if (I && I->getMember() && Current)
      OnField(I->getMember(), Current);
    return RecursiveASTVisitor::TraverseConstructorInitializer(I);
  }

  // After the traversal: references that are not a call's callee.
  void finish() {
    for (const auto &[DR, FD] : Refs)
      if (!Callees.count(DR))
        OnEscape(FD);
  }

private:
  const SourceManager &SM;
  Sink OnCall;
  Escape OnEscape;
  FieldUse OnField;
  const FunctionDecl *Current = nullptr;
  llvm::DenseSet<const DeclRefExpr *> Callees;
  std::vector<std::pair<const DeclRefExpr *, const FunctionDecl *>> Refs;
};

// A by-reference capture of V by a lambda written in S.
bool capturedByReference(const Stmt *S, const ValueDecl *V) {
  if (!S)
    return false;
  if (const auto *L = dyn_cast<LambdaExpr>(S)) {
    for (const LambdaCapture &C : L->captures())
      if (C.capturesVariable() && C.getCapturedVar() == V &&
          C.getCaptureKind() == LCK_ByRef)
        return true;
    return capturedByReference(L->getBody(), V);
  }
  for (const Stmt *C : S->children())
    if (capturedByReference(C, V))
      return true;
  return false;
}

// Does the call hand V to its callee in a way that lets the callee change
// it (a non-const reference or a pointer, or a callee we cannot see)?
bool handsOut(const CallExpr *C, const ValueDecl *V) {
  const FunctionDecl *FD = C->getDirectCallee();
  unsigned Shift = isa<CXXOperatorCallExpr>(C) && FD && isa<CXXMethodDecl>(FD);
  for (unsigned I = 0; I < C->getNumArgs(); ++I) {
    if (!names(C->getArg(I), V))
      continue;
    if (I < Shift)
      continue; // the object of a member operator: handled as a method call
    if (!FD || I - Shift >= FD->getNumParams())
      return true;
    QualType T = FD->getParamDecl(I - Shift)->getType();
    if (T->isPointerType())
      return true;
    if (T->isReferenceType() &&
        !T.getNonReferenceType().isConstQualified())
      return true;
  }
  return false;
}

CountOrigin combine(CountOrigin A, CountOrigin B) {
  if (A == CountOrigin::Input || B == CountOrigin::Input)
    return CountOrigin::Input;
  if (A == CountOrigin::Unknown || B == CountOrigin::Unknown)
    return CountOrigin::Unknown;
  return CountOrigin::Constant;
}

// The objects whose size() an expression reads (through locals' initialisers
// one level deep).
void sizedObjects(const Expr *E, const ModelSet &Models,
                  llvm::SmallVectorImpl<const Decl *> &Out, int Depth) {
  if (!E || Depth > 2)
    return;
  anyNode(E, [&](const Stmt *S) {
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S))
      if (followsConvention(MC->getMethodDecl(), ModelSet::Convention::Size,
                            Models))
        if (const Expr *O = MC->getImplicitObjectArgument()) {
          O = O->IgnoreParenImpCasts();
          if (const auto *DR = dyn_cast<DeclRefExpr>(O))
            Out.push_back(DR->getDecl()->getCanonicalDecl());
          else if (const auto *ME = dyn_cast<MemberExpr>(O))
            Out.push_back(ME->getMemberDecl()->getCanonicalDecl());
        }
    if (const auto *DR = dyn_cast<DeclRefExpr>(S))
      if (const auto *V = dyn_cast<VarDecl>(DR->getDecl());
          V && V->hasLocalStorage() && V->getInit() && !isa<ParmVarDecl>(V))
        sizedObjects(V->getInit(), Models, Out, Depth + 1);
    return false;
  });
}

} // namespace

CountOrigins::CountOrigins(TUContext &TU) : TU(TU) {}
CountOrigins::~CountOrigins() = default;

CountOrigin CountOrigins::of(const Expr *E, std::string &Desc) {
  return classify(E, Desc, 0);
}

LoopOrigin CountOrigins::loop(const Stmt *Loop) { return loopAt(Loop, 0); }

void CountOrigins::indexCalls() {
  Indexed = true;
  CallIndexer V(
      TU.AST.getSourceManager(),
      [&](const FunctionDecl *Callee, const FunctionDecl *Caller,
          std::vector<const Expr *> Args) {
        Calls[Callee->getCanonicalDecl()].Sites.push_back(
            {Caller, std::move(Args)});
      },
      [&](const FunctionDecl *FD) {
        Calls[FD->getCanonicalDecl()].Escapes = true;
      },
      [&](const FieldDecl *F, const FunctionDecl *User) {
        auto &Users = FieldUsers[F->getCanonicalDecl()];
        if (!llvm::is_contained(Users, User))
          Users.push_back(User);
      });
  V.TraverseDecl(TU.AST.getTranslationUnitDecl());
  V.finish();
}

const CountOrigins::CallersOf &
CountOrigins::callers(const FunctionDecl *FD) {
  if (!Indexed)
    indexCalls();
  return Calls[FD->getCanonicalDecl()];
}

bool CountOrigins::configuredDefault(const FieldDecl *F, int Depth) {
  const Expr *Init = F->getInClassInitializer();
  if (!Init)
    return false;
  std::string Ignored;
  if (classify(Init, Ignored, std::max(Depth, MaxDepth - 1)) !=
      CountOrigin::Constant)
    return false;
  Expr::EvalResult R;
  const Expr *I = Init->IgnoreParenImpCasts();
  if (I->isValueDependent() || !I->EvaluateAsInt(R, TU.AST))
    return true; // hardware_concurrency(): not a constant, but a bound
  return !R.Val.getInt().isZero();
}

CountOrigin CountOrigins::classify(const Expr *E, std::string &Desc,
                                   int Depth) {
  if (!E || Depth > MaxDepth)
    return CountOrigin::Unknown;
  E = strip(E);
  if (E->isValueDependent() || E->isTypeDependent())
    return CountOrigin::Unknown;
  ASTContext &AST = TU.AST;
  auto FixedSize = [&](QualType T) {
    T = T.getNonReferenceType();
    if (T->isConstantArrayType())
      return true;
    if (const CXXRecordDecl *RD = T->getAsCXXRecordDecl())
      return TU.Models.isFixedSizeContainer(modelName(RD));
    return false;
  };
  if (E->getType()->isIntegralOrEnumerationType() &&
      E->isIntegerConstantExpr(AST))
    return CountOrigin::Constant;
  if (anyNode(E, [&](const Stmt *S) {
        const auto *C = dyn_cast<CallExpr>(S);
        const FunctionDecl *F = C ? C->getDirectCallee() : nullptr;
        return F && TU.Models.isCoreCountFunction(modelName(F));
      }))
    return CountOrigin::Constant;
  // A braced list: as many elements as written.
  if (isa<InitListExpr, CXXStdInitializerListExpr>(E))
    return CountOrigin::Constant;
  if (const auto *CE = dyn_cast<CXXConstructExpr>(E)) {
    if (FixedSize(CE->getType()))
      return CountOrigin::Constant;
    if (CE->getNumArgs() == 0 || CE->isListInitialization() ||
        llvm::any_of(CE->arguments(), [](const Expr *A) {
          return isa<CXXStdInitializerListExpr>(strip(A));
        }))
      return CountOrigin::Constant;
    const Expr *First = CE->getArg(0);
    // A copy or move: the size of what is copied. `vector(n)`,
    // `vector(n, x)`: n elements.
    if (CE->getConstructor()->isCopyOrMoveConstructor() ||
        First->getType()->isIntegralOrEnumerationType())
      return classify(First, Desc, Depth + 1);
    return CountOrigin::Unknown;
  }
  if (const auto *C = dyn_cast<CallExpr>(E)) {
    // std::move(v), std::ref(v): v itself.
    if (const FunctionDecl *FD = C->getDirectCallee();
        FD && C->getNumArgs() == 1 &&
        (isLanguageCast(FD) || isReferenceWrapperCall(C, TU.Models)))
      return classify(C->getArg(0), Desc, Depth + 1);
    // std::min(n, 8): bounded by the constant.
    if (calleeFollows(C, ModelSet::Convention::Minimum, TU.Models))
      for (const Expr *A : C->arguments()) {
        std::string Ignored;
        if (classify(A, Ignored, Depth + 1) == CountOrigin::Constant)
          return CountOrigin::Constant;
      }
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(C))
      if (followsConvention(MC->getMethodDecl(), ModelSet::Convention::Size,
                            TU.Models)) {
        std::string Inner;
        CountOrigin B =
            classify(MC->getImplicitObjectArgument(), Inner, Depth + 1);
        if (B == CountOrigin::Input)
          Desc = "the size of " + Inner;
        return B;
      }
    if (const FunctionDecl *FD = C->getDirectCallee();
        FD && FD->getIdentifier() && !FD->isConstexpr()) {
      Desc = "the result of '" + FD->getNameAsString() + "'";
      return CountOrigin::Input;
    }
    return CountOrigin::Unknown;
  }
  if (const auto *DR = dyn_cast<DeclRefExpr>(E)) {
    const ValueDecl *D = DR->getDecl();
    if (FixedSize(D->getType()))
      return CountOrigin::Constant;
    if (const auto *P = dyn_cast<ParmVarDecl>(D))
      return parameter(P, Desc, Depth);
    if (const auto *V = dyn_cast<VarDecl>(D); V && V->hasLocalStorage()) {
      QualType T = V->getType();
      // A local container: how this function fills it.
      if (!T->isReferenceType() && T->getAsCXXRecordDecl())
        return filled(V, Desc, Depth);
      if (V->getInit()) {
        std::string Inner;
        CountOrigin B = classify(V->getInit(), Inner, Depth + 1);
        if (B == CountOrigin::Input)
          Desc = "'" + V->getNameAsString() + "' (from " + Inner + ")";
        return B;
      }
    }
    return CountOrigin::Unknown;
  }
  if (const auto *ME = dyn_cast<MemberExpr>(E)) {
    if (const auto *F = dyn_cast<FieldDecl>(ME->getMemberDecl())) {
      if (FixedSize(F->getType()) || configuredDefault(F, Depth))
        return CountOrigin::Constant;
      QualType T = F->getType();
      // A member container: how the code of the TU fills it.
      if (!T->isReferenceType() && T->getAsCXXRecordDecl())
        return filled(F, Desc, Depth);
      Desc = "member '" + F->getNameAsString() + "'";
      return CountOrigin::Input;
    }
    return CountOrigin::Unknown;
  }
  if (const auto *BO = dyn_cast<BinaryOperator>(E)) {
    std::string L, R;
    CountOrigin A = classify(BO->getLHS(), L, Depth + 1);
    CountOrigin B = classify(BO->getRHS(), R, Depth + 1);
    if (A == CountOrigin::Input || B == CountOrigin::Input) {
      Desc = A == CountOrigin::Input ? L : R;
      return CountOrigin::Input;
    }
    if (A == CountOrigin::Constant && B == CountOrigin::Constant)
      return CountOrigin::Constant;
    return CountOrigin::Unknown;
  }
  return CountOrigin::Unknown;
}

CountOrigin CountOrigins::parameter(const ParmVarDecl *P, std::string &Desc,
                                    int Depth) {
  const auto *FD = dyn_cast<FunctionDecl>(P->getDeclContext());
  bool Container = P->getType().getNonReferenceType()->getAsCXXRecordDecl();
  std::string Base = "parameter '" + P->getNameAsString() + "'";
  if (FD)
    Base += " of " + functionLabel(FD);
  Base += Container ? ", whose size comes from " : ", whose value comes from ";
  const auto *MD = dyn_cast_or_null<CXXMethodDecl>(FD);
  if (!FD || (MD && (MD->getParent()->isLambda() || MD->isVirtual()))) {
    Desc = Base + "its callers (not all of them visible here)";
    return CountOrigin::Input;
  }
  if (CallerDepth >= MaxCallerDepth) {
    Desc = Base + "its callers";
    return CountOrigin::Input;
  }
  if (auto It = Memo.find(P); It != Memo.end()) {
    if (It->second.Kind == CountOrigin::Input)
      Desc = It->second.Desc;
    return It->second.Kind;
  }
  if (!InProgress.insert(P).second)
    return CountOrigin::Unknown; // recursion: the other callers decide
  const CallersOf &C = callers(FD);
  unsigned Index = P->getFunctionScopeIndex();
  Answer A{CountOrigin::Constant, ""};
  if (C.Escapes) {
    A = {CountOrigin::Input,
         Base + "its callers (it is also called indirectly, not every "
                "caller is visible)"};
  } else if (C.Sites.empty()) {
    A = {CountOrigin::Input,
         Base + "its callers (none in this translation unit)"};
  } else {
    ++CallerDepth;
    for (const Site &S : C.Sites) {
      CountOrigin K = CountOrigin::Unknown;
      std::string D;
      if (Index < S.Args.size()) {
        const Expr *Arg = S.Args[Index];
        if (const auto *DA = dyn_cast<CXXDefaultArgExpr>(strip(Arg)))
          Arg = DA->getExpr();
        K = classify(Arg, D, 0);
      }
      if (K == CountOrigin::Input) {
        A = {CountOrigin::Input,
             Base + "its caller " +
                 (S.Caller ? functionLabel(S.Caller) : std::string("here")) +
                 ": " + D};
        break;
      }
      A.Kind = combine(A.Kind, K);
    }
    --CallerDepth;
  }
  InProgress.erase(P);
  (void)Depth;
  Memo[P] = A;
  if (A.Kind == CountOrigin::Input)
    Desc = A.Desc;
  return A.Kind;
}

// The smaller of two origins of one bound: Constant, then Unknown, then
// Input.
CountOrigin smaller(CountOrigin A, CountOrigin B) {
  auto Rank = [](CountOrigin K) {
    return K == CountOrigin::Constant ? 0 : K == CountOrigin::Unknown ? 1 : 2;
  };
  return Rank(A) <= Rank(B) ? A : B;
}

// Is S a statement that advances the local V: `++n`, `n++`, `n += k`?
bool advances(const Stmt *S, const ValueDecl *V) {
  const auto *E = dyn_cast_or_null<Expr>(S);
  if (!E)
    return false;
  E = E->IgnoreImplicit()->IgnoreParenImpCasts();
  const Expr *Target = nullptr;
  if (const auto *U = dyn_cast<UnaryOperator>(E); U && U->isIncrementOp())
    Target = U->getSubExpr();
  else if (const auto *B = dyn_cast<BinaryOperator>(E);
           B && B->getOpcode() == BO_AddAssign)
    Target = B->getLHS();
  return Target && referencedDecl(Target) == V;
}

// The bound of a loop that leaves once a counter reaches it:
// `if (n == limit) break;` (also `>=`, `>`, the bound on either side) in
// the loop's own body, where n is a local advanced by a statement of one of
// the blocks in Inner — the blocks between the loop and an insert, so that
// each insert advances it. Null when there is none.
const Expr *capOf(const Stmt *Loop, llvm::ArrayRef<const Stmt *> Inner) {
  const Stmt *Body = loopBody(Loop);
  const Expr *Bound = nullptr;
  auto Advanced = [&](const ValueDecl *V) {
    for (const Stmt *B : Inner)
      if (const auto *CS = dyn_cast<CompoundStmt>(B))
        for (const Stmt *S : CS->body())
          if (advances(S, V))
            return true;
    return false;
  };
  auto Leaves = [](const Stmt *S) {
    if (isa_and_nonnull<BreakStmt>(S))
      return true;
    const auto *CS = dyn_cast_or_null<CompoundStmt>(S);
    return CS && llvm::any_of(CS->body(),
                              [](const Stmt *X) { return isa<BreakStmt>(X); });
  };
  std::function<void(const Stmt *)> Find = [&](const Stmt *S) {
    if (!S || Bound || isLoop(S) || isa<SwitchStmt, LambdaExpr>(S))
      return;
    if (const auto *If = dyn_cast<IfStmt>(S);
        If && !If->getElse() && Leaves(If->getThen()))
      if (const auto *BO =
              dyn_cast<BinaryOperator>(If->getCond()->IgnoreParenImpCasts())) {
        const Expr *L = BO->getLHS(), *R = BO->getRHS();
        const ValueDecl *LV = referencedDecl(L), *RV = referencedDecl(R);
        switch (BO->getOpcode()) {
        case BO_EQ:
          if (LV && Advanced(LV))
            Bound = R;
          else if (RV && Advanced(RV))
            Bound = L;
          break;
        case BO_GE:
        case BO_GT:
          if (LV && Advanced(LV))
            Bound = R;
          break;
        case BO_LE:
        case BO_LT:
          if (RV && Advanced(RV))
            Bound = L;
          break;
        default:
          break;
        }
        if (Bound)
          return;
      }
    for (const Stmt *C : S->children())
      Find(C);
  };
  if (Body)
    for (const Stmt *C : Body->children())
      Find(C);
  return Bound;
}

CountOrigin CountOrigins::filled(const ValueDecl *V, std::string &Desc,
                                 int Depth) {
  if (auto It = Memo.find(V); It != Memo.end()) {
    if (It->second.Kind == CountOrigin::Input)
      Desc = It->second.Desc;
    return It->second.Kind;
  }
  const auto *Field = dyn_cast<FieldDecl>(V);
  llvm::SmallVector<const FunctionDecl *, 4> Fillers;
  if (Field) {
    if (!Indexed)
      indexCalls();
    if (auto It = FieldUsers.find(Field->getCanonicalDecl());
        It != FieldUsers.end())
      Fillers = It->second;
  } else if (const auto *FD =
                 dyn_cast_or_null<FunctionDecl>(V->getParentFunctionOrMethod());
             FD && FD->getBody()) {
    Fillers.push_back(FD);
  } else {
    return CountOrigin::Unknown;
  }
  if (!InProgress.insert(V).second)
    return CountOrigin::Unknown;
  std::string Name = (Field ? "member '" : "'") + V->getNameAsString() + "'";
  Answer A{CountOrigin::Constant, ""};
  bool Filled = false; // some code of the TU puts elements into a member
  auto Add = [&](CountOrigin K, const std::string &Why) {
    if (A.Kind == CountOrigin::Input)
      return;
    if (K == CountOrigin::Input)
      A = {CountOrigin::Input, Why};
    else
      A.Kind = combine(A.Kind, K);
  };
  if (const auto *Var = dyn_cast<VarDecl>(V); Var && Var->getInit()) {
    std::string D;
    CountOrigin K = classify(Var->getInit(), D, Depth + 1);
    Add(K, Name + " (from " + D + ")");
  }
  for (const FunctionDecl *FD : Fillers) {
    if (A.Kind == CountOrigin::Input)
      break;
    const auto *Ctor = dyn_cast<CXXConstructorDecl>(FD);
    if (Field && Ctor)
      for (const CXXCtorInitializer *I : Ctor->inits())
        if (I->getMember() &&
            I->getMember()->getCanonicalDecl() == Field->getCanonicalDecl() &&
            I->isWritten()) {
          Filled = true;
          std::string D;
          CountOrigin K = classify(I->getInit(), D, Depth + 1);
          Add(K, Name + " (from " + D + ")");
        }
    if (!FD->getBody())
      continue;
    // The loops around a statement that adds to V, inside V's scope, and
    // the statements from the function's body down to it.
    std::vector<const Stmt *> Loops, Path;
    size_t DeclLoops = 0;
    unsigned InLambda = 0;
    // One insert whose loops are not a bound of their own.
    auto Single = [&](const CallExpr *Insert) {
      if (!Field || Ctor)
        return CountOrigin::Constant;
      // One element per call of FD: as many as its callers hand in.
      for (const Expr *Arg : Insert->arguments())
        if (anyNode(Arg, [&](const Stmt *S) {
              const auto *DR = dyn_cast<DeclRefExpr>(S);
              const auto *P =
                  DR ? dyn_cast<ParmVarDecl>(DR->getDecl()) : nullptr;
              return P && P->getDeclContext() == FD;
            }))
          return CountOrigin::Input;
      return CountOrigin::Unknown;
    };
    auto Around = [&](CountOrigin Each, const std::string &EachWhy,
                      const CallExpr *Insert) {
      Filled = true;
      if (InLambda) {
        Add(CountOrigin::Unknown, ""); // as often as the lambda is called
        return;
      }
      CountOrigin K = Each;
      std::string Why = EachWhy;
      if (Insert && Loops.size() == DeclLoops) {
        K = Single(Insert);
        Why = Name + " (filled one per call of " + functionLabel(FD) +
              ", from its parameters)";
      }
      for (size_t I = DeclLoops; I < Loops.size(); ++I) {
        LoopOrigin L = loopAt(Loops[I], Depth + 1);
        if (L.Kind != CountOrigin::Constant) {
          size_t At = llvm::find(Path, Loops[I]) - Path.begin();
          if (const Expr *Cap = capOf(
                  Loops[I], llvm::ArrayRef<const Stmt *>(Path).drop_front(
                                std::min(At + 1, Path.size())))) {
            std::string Ignored;
            L.Kind = smaller(L.Kind, classify(Cap, Ignored, Depth + 1));
          }
        }
        if (L.Kind == CountOrigin::Input && K != CountOrigin::Input) {
          K = CountOrigin::Input;
          Why = Name + " (filled in a loop driven by input: " + L.What + ")";
        } else {
          K = combine(K, L.Kind);
        }
      }
      Add(K, Why);
    };
    std::function<void(const Stmt *)> Walk = [&](const Stmt *S) {
      if (!S || A.Kind == CountOrigin::Input)
        return;
      bool IsLambda = isa<LambdaExpr>(S);
      if (IsLambda && !Field) {
        if (capturedByReference(S, V))
          Add(CountOrigin::Unknown, "");
        return;
      }
      if (const auto *DS = dyn_cast<DeclStmt>(S))
        if (llvm::is_contained(DS->decls(), V))
          DeclLoops = Loops.size();
      if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S);
          MC && names(MC->getImplicitObjectArgument(), V)) {
        auto Is = [&](ModelSet::Convention C) {
          return calleeFollows(MC, C, TU.Models);
        };
        if (Is(ModelSet::Convention::Resize) && MC->getNumArgs() >= 1 &&
            MC->getArg(0)->getType()->isIntegralOrEnumerationType()) {
          std::string D;
          CountOrigin K = classify(MC->getArg(0), D, Depth + 1);
          Around(K, Name + " (resized to " + D + ")", nullptr);
        } else if (Is(ModelSet::Convention::RangeInsert) &&
                   MC->getNumArgs() >= 2) {
          // A range: the size of the container it comes from.
          const auto *End = dyn_cast<CXXMemberCallExpr>(
              strip(MC->getArg(MC->getNumArgs() - 1)));
          std::string D;
          CountOrigin K = End && calleeFollows(End, ModelSet::Convention::End,
                                               TU.Models)
                              ? classify(End->getImplicitObjectArgument(), D,
                                         Depth + 1)
                              : CountOrigin::Constant;
          Around(K, Name + " (from the size of " + D + ")", nullptr);
        } else if (isContainerInsert(MC, TU.Models)) {
          Around(CountOrigin::Constant, "", MC);
        }
      } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
                 Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2 &&
                 names(Op->getArg(0), V)) {
        Filled = true;
        std::string D;
        CountOrigin K = classify(Op->getArg(1), D, Depth + 1);
        Add(K, Name + " (from " + D + ")");
      } else if (const auto *C = dyn_cast<CallExpr>(S); C && handsOut(C, V)) {
        Filled = true;
        Add(CountOrigin::Unknown, "");
      }
      bool IsLoop = isLoop(S);
      if (IsLoop)
        Loops.push_back(S);
      InLambda += IsLambda;
      Path.push_back(S);
      for (const Stmt *Child : S->children())
        Walk(Child);
      Path.pop_back();
      InLambda -= IsLambda;
      if (IsLoop)
        Loops.pop_back();
    };
    Walk(FD->getBody());
  }
  // A member no code of this TU fills: its elements come from code we do
  // not see, as a parameter's do from callers we do not see.
  if (Field && !Filled && A.Kind != CountOrigin::Input)
    A = {CountOrigin::Input,
         Name + " (no code in this translation unit fills it)"};
  InProgress.erase(V);
  Memo[V] = A;
  if (A.Kind == CountOrigin::Input)
    Desc = A.Desc;
  return A.Kind;
}

// A relational loop condition `i < n`: constant if either side is a
// constant, input if a side is.
CountOrigin CountOrigins::relational(const Stmt *Loop, const Expr *Cond,
                                     std::string &Desc, int Depth) {
  if (!Cond)
    return CountOrigin::Unknown;
  Cond = Cond->IgnoreParenImpCasts();
  const Expr *L = nullptr, *R = nullptr;
  if (const auto *BO = dyn_cast<BinaryOperator>(Cond)) {
    if (BO->isLogicalOp()) {
      // `i < n && i < 8`: a constant part bounds the loop; `i < n || x`
      // is bounded by neither alone.
      std::string DL, DR;
      CountOrigin A = relational(Loop, BO->getLHS(), DL, Depth);
      CountOrigin B = relational(Loop, BO->getRHS(), DR, Depth);
      if (BO->getOpcode() == BO_LAnd &&
          (A == CountOrigin::Constant || B == CountOrigin::Constant))
        return CountOrigin::Constant;
      if (BO->getOpcode() == BO_LOr)
        return CountOrigin::Unknown;
      if (A != CountOrigin::Unknown) {
        Desc = DL;
        return A;
      }
      Desc = DR;
      return B;
    }
    if (!BO->isComparisonOp())
      return CountOrigin::Unknown;
    L = BO->getLHS();
    R = BO->getRHS();
  } else if (const auto *RW = dyn_cast<CXXRewrittenBinaryOperator>(Cond)) {
    // C++20: `it != v.end()` through the iterator's operator==.
    CXXRewrittenBinaryOperator::DecomposedForm F = RW->getDecomposedForm();
    if (!BinaryOperator::isComparisonOp(F.Opcode))
      return CountOrigin::Unknown;
    L = F.LHS;
    R = F.RHS;
  } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Cond)) {
    if (Op->getNumArgs() != 2 ||
        (!isRelationalComparison(Op) && Op->getOperator() != OO_ExclaimEqual))
      return CountOrigin::Unknown;
    L = Op->getArg(0);
    R = Op->getArg(1);
  } else {
    return CountOrigin::Unknown;
  }
  // The counter itself (declared in the for's init, or changed in the
  // loop) says nothing about the bound.
  auto Counter = [&](const Expr *E) {
    const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
    if (!Ref)
      return false;
    const ValueDecl *V = Ref->getDecl();
    if (const auto *F = dyn_cast<ForStmt>(Loop))
      if (anyNode(F->getInit(), [&](const Stmt *S) {
            const auto *DS = dyn_cast<DeclStmt>(S);
            return DS && llvm::is_contained(DS->decls(), V);
          }))
        return true;
    return anyNode(Loop, [&](const Stmt *S) {
      const Expr *Target = nullptr;
      if (const auto *U = dyn_cast<UnaryOperator>(S);
          U && U->isIncrementDecrementOp())
        Target = U->getSubExpr();
      else if (const auto *B = dyn_cast<BinaryOperator>(S);
               B && B->isAssignmentOp())
        Target = B->getLHS();
      else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
               Op && Op->getNumArgs() >= 1 &&
               (Op->getOperator() == OO_PlusPlus ||
                Op->getOperator() == OO_MinusMinus ||
                Op->getOperator() == OO_PlusEqual ||
                Op->getOperator() == OO_Equal))
        Target = Op->getArg(0);
      const auto *T = dyn_cast_or_null<DeclRefExpr>(
          Target ? Target->IgnoreParenImpCasts() : nullptr);
      return T && T->getDecl() == V;
    });
  };
  std::string DL, DR;
  CountOrigin A =
      Counter(L) ? CountOrigin::Unknown : classify(L, DL, Depth + 1);
  CountOrigin B =
      Counter(R) ? CountOrigin::Unknown : classify(R, DR, Depth + 1);
  if (A == CountOrigin::Constant || B == CountOrigin::Constant)
    return CountOrigin::Constant;
  // Iterator loops: `it != items.end()`.
  auto EndOf = [&](const Expr *E, std::string &D) -> std::optional<CountOrigin> {
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E->IgnoreParenImpCasts()))
      if (calleeFollows(MC, ModelSet::Convention::End, TU.Models)) {
        std::string Inner;
        CountOrigin K =
            classify(MC->getImplicitObjectArgument(), Inner, Depth + 1);
        if (K == CountOrigin::Input)
          D = "the size of " + Inner;
        return K;
      }
    return std::nullopt;
  };
  for (const Expr *Side : {R, L})
    if (auto K = EndOf(Side, Desc))
      return *K;
  if (B == CountOrigin::Input) {
    Desc = DR;
    return CountOrigin::Input;
  }
  if (A == CountOrigin::Input) {
    Desc = DL;
    return CountOrigin::Input;
  }
  return CountOrigin::Unknown;
}

bool CountOrigins::readsInput(const CallExpr *C) const {
  const ModelSet &Models = TU.Models;
  if (auto Op = matchChanOp(C, Models))
    if (isReceiveOp(Op->Kind))
      return true;
  if (auto Op = matchBlockingOp(C, Models))
    if (Op->What == "IO wait" || Op->What == "channel receive" ||
        Op->What == "chan receive")
      return true;
  if (calleeFollows(C, ModelSet::Convention::InputReads, Models))
    return true;
  // `in >> n` on a stream.
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(C))
    if (Op->getOperator() == OO_GreaterGreater && Op->getNumArgs() == 2 &&
        isStreamType(Op->getArg(0)->getType(), Models))
      return true;
  return false;
}

LoopOrigin CountOrigins::loopAt(const Stmt *Loop, int Depth) {
  LoopOrigin O;
  if (!Loop || Depth > MaxDepth)
    return O;
  if (const auto *R = dyn_cast<CXXForRangeStmt>(Loop)) {
    std::string Desc;
    O.Kind = classify(R->getRangeInit(), Desc, Depth);
    if (O.Kind == CountOrigin::Input)
      O.What = "a range over " + Desc;
    return O;
  }
  const Expr *Cond = nullptr;
  const VarDecl *CondVar = nullptr;
  if (const auto *F = dyn_cast<ForStmt>(Loop)) {
    Cond = F->getCond();
    CondVar = F->getConditionVariable();
  } else if (const auto *W = dyn_cast<WhileStmt>(Loop)) {
    Cond = W->getCond();
    CondVar = W->getConditionVariable();
  } else if (const auto *D = dyn_cast<DoStmt>(Loop)) {
    Cond = D->getCond();
  }
  // Chunks whose size scales with the input: as many iterations as
  // chunks, not as items.
  if (chunksItsInput(dyn_cast<ForStmt>(Loop), TU.Models)) {
    O.Kind = CountOrigin::Constant;
    return O;
  }
  std::string Desc;
  CountOrigin B = relational(Loop, Cond, Desc, Depth);
  if (B == CountOrigin::Input) {
    O.Kind = B;
    O.What = "a count from " + Desc;
    O.IsCount = !StringRef(Desc).starts_with("the size of") &&
                !StringRef(Desc).contains("(from the size of") &&
                !StringRef(Desc).contains("whose size comes from");
    return O;
  }
  if (B == CountOrigin::Constant) {
    O.Kind = B;
    return O;
  }
  // One iteration per item read: in the condition or in the body.
  auto Reads = [&](const Stmt *S) {
    return anyNode(S, [&](const Stmt *X) {
      const auto *C = dyn_cast<CallExpr>(X);
      return C && readsInput(C);
    });
  };
  if (Reads(Cond) || (CondVar && Reads(CondVar->getInit()))) {
    O.Kind = CountOrigin::Input;
    O.What = "one iteration per item read in the loop condition";
    O.ReadLoop = true;
    return O;
  }
  if (Reads(loopBody(Loop))) {
    O.Kind = CountOrigin::Input;
    O.What = "one iteration per item read in the loop";
    O.ReadLoop = true;
    return O;
  }
  return O;
}

bool chunksItsInput(const ForStmt *Loop, const ModelSet &Models) {
  if (!Loop || !Loop->getCond() || !Loop->getInc())
    return false;
  const Expr *Step = nullptr;
  const Expr *Inc = Loop->getInc()->IgnoreParenImpCasts();
  auto StepOf = [&](const Expr *X) -> const Expr * {
    X = X->IgnoreParenImpCasts();
    if (const auto *CA = dyn_cast<CompoundAssignOperator>(X);
        CA && CA->getOpcode() == BO_AddAssign)
      return CA->getRHS();
    return nullptr;
  };
  if (const auto *Comma = dyn_cast<BinaryOperator>(Inc);
      Comma && Comma->getOpcode() == BO_Comma) {
    Step = StepOf(Comma->getLHS());
    if (!Step)
      Step = StepOf(Comma->getRHS());
  } else {
    Step = StepOf(Inc);
  }
  if (!Step)
    return false;
  llvm::SmallVector<const Decl *, 2> InCond, InStep;
  sizedObjects(Loop->getCond(), Models, InCond, 0);
  sizedObjects(Step, Models, InStep, 0);
  for (const Decl *D : InStep)
    if (llvm::is_contained(InCond, D))
      return true;
  return false;
}

bool partitionsByCount(const ForStmt *Loop, const Stmt *Body) {
  if (!Loop || !Body)
    return false;
  const auto *Cond =
      dyn_cast_or_null<BinaryOperator>(Loop->getCond()
                                           ? Loop->getCond()->IgnoreParenImpCasts()
                                           : nullptr);
  if (!Cond || !Cond->isRelationalOp())
    return false;
  const ValueDecl *Counter = namedDecl(Cond->getLHS());
  const ValueDecl *Count = namedDecl(Cond->getRHS());
  if (!Counter || !Count || Counter == Count)
    return false;
  // In Body (lambda bodies included: the thread's code is one), a for loop
  // starting at the counter and stepping by the count.
  std::function<bool(const Stmt *)> Walk = [&](const Stmt *S) -> bool {
    if (!S)
      return false;
    if (const auto *F = dyn_cast<ForStmt>(S); F && F->getInit() && F->getInc()) {
      bool StartsAtCounter = false;
      if (const auto *DS = dyn_cast<DeclStmt>(F->getInit()))
        for (const Decl *D : DS->decls())
          if (const auto *V = dyn_cast<VarDecl>(D); V && V->getInit())
            StartsAtCounter |= namedDecl(V->getInit()) == Counter;
      const auto *Inc =
          dyn_cast<CompoundAssignOperator>(F->getInc()->IgnoreParenImpCasts());
      if (StartsAtCounter && Inc && Inc->getOpcode() == BO_AddAssign &&
          namedDecl(Inc->getRHS()) == Count)
        return true;
    }
    if (const auto *L = dyn_cast<LambdaExpr>(S))
      return Walk(L->getBody());
    for (const Stmt *C : S->children())
      if (Walk(C))
        return true;
    return false;
  };
  return Walk(Body);
}

bool isRelationalComparison(const Expr *E) {
  E = E->IgnoreParenImpCasts();
  if (const auto *BO = dyn_cast<BinaryOperator>(E))
    return BO->isRelationalOp();
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E))
    return Op->getOperator() == OO_Less || Op->getOperator() == OO_Greater ||
           Op->getOperator() == OO_LessEqual ||
           Op->getOperator() == OO_GreaterEqual;
  return false;
}

} // namespace tether
