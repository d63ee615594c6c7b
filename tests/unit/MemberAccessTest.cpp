// MemberAccess: whether a class's friends are all in sight, and what their
// code names of its members.
#include "AnalysisHarness.h"
#include "MemberAccess.h"

#include "clang/AST/ExprCXX.h"

#include <gtest/gtest.h>

using namespace clang;
using namespace tether;
using tether::testing::Snippet;

namespace {

const CXXRecordDecl *record(Snippet &X, llvm::StringRef Name) {
  struct Find : RecursiveASTVisitor<Find> {
    llvm::StringRef Name;
    const CXXRecordDecl *Out = nullptr;
    bool VisitCXXRecordDecl(CXXRecordDecl *RD) {
      if (RD->isThisDeclarationADefinition() && RD->getIdentifier() &&
          RD->getName() == Name && !RD->isInjectedClassName())
        Out = RD;
      return true;
    }
  } F;
  F.Name = Name;
  F.TraverseDecl(X.ast().getTranslationUnitDecl());
  EXPECT_TRUE(F.Out) << "no class '" << Name.str() << "'";
  return F.Out;
}

const FieldDecl *field(Snippet &X, llvm::StringRef Class,
                       llvm::StringRef Name) {
  if (const CXXRecordDecl *RD = record(X, Class))
    for (const FieldDecl *FD : RD->fields())
      if (FD->getName() == Name)
        return FD;
  ADD_FAILURE() << "no member '" << Name.str() << "' in '" << Class.str()
                << "'";
  return nullptr;
}

// The names of the functions the uses are in, in order.
std::vector<std::string> where(llvm::ArrayRef<FriendUse> Uses) {
  std::vector<std::string> Out;
  for (const FriendUse &U : Uses)
    Out.push_back(U.In ? U.In->getNameAsString() : std::string("-"));
  return Out;
}

} // namespace

TEST(MemberAccess, NoFriendsNoUses) {
  Snippet X(R"(
class A {
public:
  void f() { ++n_; }
private:
  int n_ = 0;
};
)");
  MemberAccess &MA = X.tu().memberAccess();
  EXPECT_TRUE(MA.friendsInSight(record(X, "A")));
  auto U = MA.friendUses(field(X, "A", "n_"));
  ASSERT_TRUE(U.has_value());
  EXPECT_TRUE(U->empty());
  EXPECT_EQ(&MA, &X.tu().memberAccess()); // one per TU
}

TEST(MemberAccess, FriendFunctionsAndClassesDefinedHere) {
  Snippet X(R"(
class A;
class Peer {
public:
  int read(const A &a) const;
  void reset(A &a);
  int own_ = 0;
};
class A {
  friend int peek(const A &a);
  friend class Peer;
  friend void swap(A &x, A &y) { int t = x.n_; x.n_ = y.n_; y.n_ = t; }
  int n_ = 0;
  int m_ = 0;
  int untouched_ = 0;
};
int peek(const A &a) { return a.n_; }
int Peer::read(const A &a) const { return a.m_ + own_; }
void Peer::reset(A &a) { a.n_ = 0; }
)");
  MemberAccess &MA = X.tu().memberAccess();
  EXPECT_TRUE(MA.friendsInSight(record(X, "A")));
  auto N = MA.friendUses(field(X, "A", "n_"));
  ASSERT_TRUE(N.has_value());
  EXPECT_EQ(where(*N), (std::vector<std::string>{"swap", "swap", "swap",
                                                 "swap", "peek", "reset"}));
  for (const FriendUse &U : *N) {
    EXPECT_FALSE(U.Dependent);
    EXPECT_TRUE(isa<MemberExpr>(U.E));
  }
  auto M = MA.friendUses(field(X, "A", "m_"));
  ASSERT_TRUE(M.has_value());
  EXPECT_EQ(where(*M), (std::vector<std::string>{"read"}));
  auto Un = MA.friendUses(field(X, "A", "untouched_"));
  ASSERT_TRUE(Un.has_value());
  EXPECT_TRUE(Un->empty());
  // The friend's own members are not the class's.
  auto Own = MA.friendUses(field(X, "Peer", "own_"));
  ASSERT_TRUE(Own.has_value());
  EXPECT_TRUE(Own->empty());
}

TEST(MemberAccess, FriendsNotInSightAreUnknown) {
  Snippet X(R"(
class Elsewhere;
class B;
class A {
  friend class Elsewhere;   // declared, never defined
  int n_ = 0;
};
class Half {
public:
  void done(B &b);    // no body here
  void other() {}
};
class B {
  friend class Half;
  int n_ = 0;
};
class C {
  friend void poke(C &c);   // declared, never defined
  int n_ = 0;
};
template <class T> void visit(T &t);
class D {
  template <class T> friend void visit(T &t);   // template without a body
  int n_ = 0;
};
)");
  MemberAccess &MA = X.tu().memberAccess();
  for (llvm::StringRef Name : {"A", "B", "C", "D"}) {
    EXPECT_FALSE(MA.friendsInSight(record(X, Name))) << Name.str();
    EXPECT_FALSE(MA.friendUses(field(X, Name, "n_")).has_value())
        << Name.str();
  }
}

TEST(MemberAccess, FriendClassTemplates) {
  Snippet X(R"(
template <class T> class Host;
template <class T> struct Reaper;
class A {
  template <class> friend class Host;
  template <class> friend struct Reaper;
  int used_ = 0;
  int by_name_ = 0;
  int spec_ = 0;
  int none_ = 0;
};
template <class T> class Host {
public:
  explicit Host(A &a) : a_(a) { a_.used_ = 1; }
  void later();
private:
  A &a_;
};
template <class T> void Host<T>::later() { a_.used_ += 2; }
template <class Owner> struct Reaper {
  static void reap(Owner &o) { o.by_name_ = 0; }
};
template <> struct Reaper<int> {
  static void reap(A &a) { a.spec_ = 0; }
};
void run(A &a) { Host<char> h(a); h.later(); Reaper<A>::reap(a); }
)");
  MemberAccess &MA = X.tu().memberAccess();
  EXPECT_TRUE(MA.friendsInSight(record(X, "A")));
  auto Used = MA.friendUses(field(X, "A", "used_"));
  ASSERT_TRUE(Used.has_value());
  // The pattern's constructor and its out-of-line member, once each (the
  // instantiation Host<char> is not walked again).
  EXPECT_EQ(where(*Used), (std::vector<std::string>{"Host<T>", "later"}));
  // A dependent access may name any member of that name.
  auto ByName = MA.friendUses(field(X, "A", "by_name_"));
  ASSERT_TRUE(ByName.has_value());
  ASSERT_EQ(ByName->size(), 1u);
  EXPECT_TRUE((*ByName)[0].Dependent);
  EXPECT_TRUE(isa<CXXDependentScopeMemberExpr>((*ByName)[0].E));
  // An explicit specialization is a friend too.
  auto Spec = MA.friendUses(field(X, "A", "spec_"));
  ASSERT_TRUE(Spec.has_value());
  EXPECT_EQ(where(*Spec), (std::vector<std::string>{"reap"}));
  auto None = MA.friendUses(field(X, "A", "none_"));
  ASSERT_TRUE(None.has_value());
  EXPECT_TRUE(None->empty());
}

TEST(MemberAccess, FriendTemplateWithAMemberDefinedElsewhere) {
  Snippet X(R"(
template <class T> class Host;
class A {
  template <class> friend class Host;
  int n_ = 0;
};
template <class T> class Host {
public:
  void start(A &a);   // defined in no TU this one sees
  void stop(A &a) {}
};
)");
  MemberAccess &MA = X.tu().memberAccess();
  EXPECT_FALSE(MA.friendsInSight(record(X, "A")));
  EXPECT_FALSE(MA.friendUses(field(X, "A", "n_")).has_value());
}

TEST(MemberAccess, NestedClassesAndAnonymousMembers) {
  Snippet X(R"(
class Outer {
public:
  class Inner {
    friend void tweak(Inner &i);
    int k_ = 0;
  };
private:
  union { int raw_; float f_; };
  int n_ = 0;
  friend int get(const Outer &o);
};
void tweak(Outer::Inner &i) { i.k_ = 1; }
int get(const Outer &o) { return o.raw_ + o.n_; }
)");
  MemberAccess &MA = X.tu().memberAccess();
  // A member of a nested class: that class's friends.
  auto K = MA.friendUses(field(X, "Inner", "k_"));
  ASSERT_TRUE(K.has_value());
  EXPECT_EQ(where(*K), (std::vector<std::string>{"tweak"}));
  // The class's friends include its nested classes' (unsure: they count).
  auto N = MA.friendUses(field(X, "Outer", "n_"));
  ASSERT_TRUE(N.has_value());
  EXPECT_EQ(where(*N), (std::vector<std::string>{"get"}));
  // A member of an anonymous union is one of the class around it.
  const FieldDecl *Raw = nullptr;
  for (const Decl *D : record(X, "Outer")->decls())
    if (const auto *U = dyn_cast<CXXRecordDecl>(D);
        U && U->isAnonymousStructOrUnion())
      for (const FieldDecl *FD : U->fields())
        if (FD->getName() == "raw_")
          Raw = FD;
  ASSERT_TRUE(Raw);
  auto R = MA.friendUses(Raw);
  ASSERT_TRUE(R.has_value());
  EXPECT_EQ(where(*R), (std::vector<std::string>{"get"}));
}
