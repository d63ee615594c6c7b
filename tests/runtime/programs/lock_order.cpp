// Lock orders for the lock-order graph (lock_order=1). Every scenario runs
// its threads one after another (each joined before the next starts) or in
// orders that cannot hang, so no run deadlocks: what is reported is an order
// that could.
//
//   transfer   AB-BA through a helper: a payer thread moves money from
//              account a to b, a refund thread from b to a (must report)
//   three      A->B, B->C, C->A in three threads (must report, once)
//   ordered    100 mutexes always taken in index order, nested (quiet)
//   chain      hand-over-hand traversal of a locked list (quiet)
//   scoped     std::scoped_lock(a, b) and (b, a), std::lock(c, d) and (d, c),
//              concurrently (quiet: libstdc++ trylocks all but one)
//   reuse      a pool recycles an object in place: its mutex is destroyed
//              and a new one initialized at the same address, then taken in
//              the other order (quiet)
//   rw_write   rdlock R1 + wrlock R2, and rdlock R2 + wrlock R1 (must report)
//   rw_read    rdlock R3 + rdlock R4, and rdlock R4 + rdlock R3 (quiet:
//              readers do not block readers)
//   condwait   a consumer waits on a condition variable while holding an
//              outer lock taken first (quiet)
// A second argument `quit` ends with a SIGQUIT dump (awaited).
#include "await_report.h"

#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <new>
#include <pthread.h>
#include <string>
#include <thread>
#include <vector>

namespace {

template <class F> void runNamed(const char *name, F f) {
  std::thread t([name, f] {
    pthread_setname_np(pthread_self(), name);
    f();
  });
  t.join();
}

// ------------------------------------------------------------ transfer
struct Account {
  std::mutex m;
  long balance = 100;
};

void transfer(Account &from, Account &to, long amount) {
  std::lock_guard<std::mutex> f(from.m); // TRANSFER-LOCK-FROM
  std::lock_guard<std::mutex> t(to.m);   // TRANSFER-LOCK-TO
  from.balance -= amount;
  to.balance += amount;
}

void transferScenario() {
  auto a = std::make_shared<Account>(), b = std::make_shared<Account>();
  printf("a=%p b=%p\n", (void *)&a->m, (void *)&b->m);
  runNamed("payer", [a, b] { transfer(*a, *b, 10); }); // PAYER-CALL
  runNamed("refund", [a, b] { transfer(*b, *a, 10); }); // REFUND-CALL
  // The same orders again: the cycle is not reported twice.
  for (int i = 0; i < 3; ++i) {
    runNamed("payer", [a, b] { transfer(*a, *b, 1); });
    runNamed("refund", [a, b] { transfer(*b, *a, 1); });
  }
  printf("balances %ld %ld\n", a->balance, b->balance);
}

// ------------------------------------------------------------ three
struct Stage {
  std::mutex m;
  int value = 0;
};

void handOff(Stage &held, Stage &next) {
  std::unique_lock<std::mutex> h(held.m);
  std::unique_lock<std::mutex> n(next.m);
  next.value += held.value + 1;
}

void threeScenario() {
  Stage x, y, z;
  runNamed("x-to-y", [&] { handOff(x, y); });
  runNamed("y-to-z", [&] { handOff(y, z); });
  runNamed("z-to-x", [&] { handOff(z, x); });
  // Again, in every thread: still one report.
  runNamed("again", [&] {
    handOff(x, y);
    handOff(y, z);
    handOff(z, x);
  });
}

// ------------------------------------------------------------ ordered
void orderedScenario() {
  std::vector<std::mutex> ms(100);
  auto lockRange = [&](size_t first, size_t count) {
    std::vector<std::unique_lock<std::mutex>> held;
    for (size_t i = first; i < first + count && i < ms.size(); ++i)
      held.emplace_back(ms[i]);
  };
  std::vector<std::thread> ts;
  for (size_t w = 0; w < 4; ++w)
    ts.emplace_back([&, w] {
      for (size_t i = w; i < ms.size(); i += 3)
        lockRange(i, 1 + (i + w) % 5);
      lockRange(0, ms.size()); // all hundred, in order
    });
  for (auto &t : ts)
    t.join();
}

// ------------------------------------------------------------ chain
struct ListNode {
  std::mutex m;
  int value;
  std::unique_ptr<ListNode> next;
};

long sumHandOverHand(ListNode *head) {
  long sum = 0;
  std::unique_lock<std::mutex> cur(head->m);
  for (ListNode *n = head; n;) {
    sum += n->value;
    ListNode *next = n->next.get();
    if (!next)
      break;
    std::unique_lock<std::mutex> nl(next->m); // lock the next before releasing this one
    cur.swap(nl);
    nl.unlock();
    n = next;
  }
  return sum;
}

void chainScenario() {
  auto head = std::make_unique<ListNode>();
  ListNode *tail = head.get();
  for (int i = 1; i < 50; ++i) {
    tail->next = std::make_unique<ListNode>();
    tail = tail->next.get();
    tail->value = i;
  }
  std::vector<std::thread> ts;
  for (int w = 0; w < 3; ++w)
    ts.emplace_back([&] {
      for (int k = 0; k < 20; ++k)
        sumHandOverHand(head.get());
    });
  for (auto &t : ts)
    t.join();
  printf("sum %ld\n", sumHandOverHand(head.get()));
}

// ------------------------------------------------------------ scoped
void scopedScenario() {
  std::mutex a, b, c, d;
  long n = 0;
  std::thread t1([&] {
    for (int i = 0; i < 2000; ++i) {
      std::scoped_lock both(a, b);
      ++n;
    }
    for (int i = 0; i < 2000; ++i) {
      std::unique_lock<std::mutex> l1(c, std::defer_lock), l2(d, std::defer_lock);
      std::lock(l1, l2);
      ++n;
    }
  });
  std::thread t2([&] {
    for (int i = 0; i < 2000; ++i) {
      std::scoped_lock both(b, a);
      ++n;
    }
    for (int i = 0; i < 2000; ++i) {
      std::unique_lock<std::mutex> l1(d, std::defer_lock), l2(c, std::defer_lock);
      std::lock(l1, l2);
      ++n;
    }
  });
  t1.join();
  t2.join();
  printf("n %ld\n", n);
}

// ------------------------------------------------------------ reuse
// An object whose mutex is a pthread mutex, initialized and destroyed with it.
class Session {
public:
  Session() { pthread_mutex_init(&m_, nullptr); }
  ~Session() { pthread_mutex_destroy(&m_); }
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;
  void lock() { pthread_mutex_lock(&m_); }
  void unlock() { pthread_mutex_unlock(&m_); }
  const void *address() const { return &m_; }

private:
  pthread_mutex_t m_;
};

// Recycles sessions in place, as object pools do.
class SessionSlot {
public:
  Session *make() { return new (storage_) Session(); }
  void recycle(Session *s) { s->~Session(); }

private:
  alignas(Session) unsigned char storage_[sizeof(Session)];
};

void reuseScenario() {
  std::mutex registry;
  SessionSlot slot;
  Session *first = slot.make();
  // Registry, then session.
  runNamed("open", [&] {
    std::lock_guard<std::mutex> r(registry);
    first->lock();
    first->unlock();
  });
  const void *was = first->address();
  slot.recycle(first);
  Session *second = slot.make();
  printf("reused %d\n", second->address() == was ? 1 : 0);
  // Session, then registry: another mutex at the same address.
  runNamed("close", [&] {
    second->lock();
    { std::lock_guard<std::mutex> r(registry); }
    second->unlock();
  });
  slot.recycle(second);
}

// ------------------------------------------------------------ rwlocks
struct Table {
  pthread_rwlock_t l = PTHREAD_RWLOCK_INITIALIZER;
  int rows = 0;
};

void readThenWrite(Table &read, Table &write) {
  pthread_rwlock_rdlock(&read.l); // RW-READ
  pthread_rwlock_wrlock(&write.l); // RW-WRITE
  write.rows += read.rows + 1;
  pthread_rwlock_unlock(&write.l);
  pthread_rwlock_unlock(&read.l);
}

void readBoth(Table &first, Table &second) {
  pthread_rwlock_rdlock(&first.l);
  pthread_rwlock_rdlock(&second.l);
  pthread_rwlock_unlock(&second.l);
  pthread_rwlock_unlock(&first.l);
}

void rwWriteScenario() {
  Table orders, stock;
  runNamed("restock", [&] { readThenWrite(orders, stock); });
  runNamed("order", [&] { readThenWrite(stock, orders); });
}

void rwReadScenario() {
  Table orders, stock;
  runNamed("report-a", [&] { readBoth(orders, stock); });
  runNamed("report-b", [&] { readBoth(stock, orders); });
}

// ------------------------------------------------------------ condwait
struct Queue {
  std::mutex m;
  std::condition_variable cv;
  std::deque<int> items;
};

void condwaitScenario() {
  std::mutex outer;
  Queue q;
  std::thread consumer([&] {
    for (int got = 0; got < 100;) {
      std::lock_guard<std::mutex> o(outer); // outer first, then the queue's
      std::unique_lock<std::mutex> l(q.m);
      q.cv.wait(l, [&] { return !q.items.empty(); });
      q.items.pop_front();
      ++got;
    }
  });
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i) {
      std::lock_guard<std::mutex> l(q.m);
      q.items.push_back(i);
      q.cv.notify_one();
    }
  });
  producer.join();
  consumer.join();
}

} // namespace

int main(int argc, char **argv) {
  std::string what = argc > 1 ? argv[1] : "";
  if (what == "transfer") transferScenario();
  else if (what == "three") threeScenario();
  else if (what == "ordered") orderedScenario();
  else if (what == "chain") chainScenario();
  else if (what == "scoped") scopedScenario();
  else if (what == "reuse") reuseScenario();
  else if (what == "rw_write") rwWriteScenario();
  else if (what == "rw_read") rwReadScenario();
  else if (what == "condwait") condwaitScenario();
  else {
    fprintf(stderr, "unknown scenario '%s'\n", what.c_str());
    return 2;
  }
  fflush(stdout);
  if (argc > 2 && strcmp(argv[2], "quit") == 0) {
    raise(SIGQUIT);
    awaitReport();
  }
  return 0;
}
