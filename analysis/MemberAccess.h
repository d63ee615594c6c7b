// MemberAccess: who, besides a class's own member functions, can touch one
// of its private members — its friends — and what their code does with it.
//
// A rule of the form "no code that can reach this private member joins,
// detaches, moves or closes it" must look at every function that can name
// the member. Those are the class's own member functions (and those of its
// nested classes), which the checks examine themselves, and the class's
// friends: friend functions and function templates, every member function
// of a friend class, and of every specialization of a friend class template.
//
// The friends' code is *in sight* when each friend's definition is in the
// translation unit:
//   - a friend function (or member function of another class): its body;
//   - a friend function template: the body of its pattern and of each
//     explicit specialization;
//   - a friend class: its definition and the body of each of its member
//     functions (also member function templates, and those of its nested
//     classes), inline or out of line;
//   - a friend class template (`template <class> friend class Impl;`), or
//     one specialization of it (`friend class Impl<int>;`): the same for the
//     template's pattern and for each of its partial and explicit
//     specializations (the implicit instantiations are made from those);
// and nothing befriended is a template parameter. A friend declared but not
// defined here — or defined with one member function whose body lives in
// another translation unit — is not in sight: what it does with the member
// is unknown, and a rule must not conclude that nobody else touches it.
// Friends of the class's nested classes count as friends too (unsure: yes).
//
// For a member of a class whose friends are in sight, friendUses() lists
// the expressions of the friends' code that name it: member accesses
// (`impl.worker_`, `p->worker_`), pointers to member (`&Owner::worker_`),
// and, in template code, a dependent access spelled with the member's name
// (`x.worker_` on an `x` whose type depends on a template parameter: it may
// be this member, so it counts, marked Dependent). Each class's friends are
// examined once, for all its members.
#pragma once

#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <memory>
#include <optional>

namespace tether {

// One expression of a friend's code that names a member.
struct FriendUse {
  const clang::Expr *E = nullptr;
  // The friend function (or member function of a friend class) it is in;
  // null for a default member initializer of a friend class.
  const clang::FunctionDecl *In = nullptr;
  // A dependent access spelled with the member's name (template code): it
  // may name another class's member of the same name.
  bool Dependent = false;
};

class MemberAccess {
public:
  explicit MemberAccess(clang::ASTContext &AST);
  ~MemberAccess();

  // Is every friend's code of RD (and of its nested classes) in sight? A
  // class without friends: yes.
  bool friendsInSight(const clang::CXXRecordDecl *RD);

  // The uses of member FD in the code of its class's friends, in source
  // order; std::nullopt when some friend's code is not in sight (unknown:
  // a friend may touch it). Empty when no friend names it.
  std::optional<llvm::ArrayRef<FriendUse>>
  friendUses(const clang::FieldDecl *FD);

private:
  struct ClassFriends;
  const ClassFriends &friendsOf(const clang::CXXRecordDecl *RD);

  clang::ASTContext &AST;
  llvm::DenseMap<const clang::CXXRecordDecl *, std::unique_ptr<ClassFriends>>
      Classes;
};

} // namespace tether
