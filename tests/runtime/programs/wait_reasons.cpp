// One thread blocked in each kind of wait tether intercepts, then SIGQUIT.
// The API is looked up with dlsym so the same program runs linked or
// LD_PRELOADed.
#include "await_report.h"
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <deque>
#include <dlfcn.h>
#include <latch>
#include <mutex>
#include <pthread.h>
#include <semaphore.h>
#include <semaphore>
#include <shared_mutex>
#include <thread>
#include <unistd.h>

// A user's queue, named in a models file given with TETHER_OPTIONS=models=.
template <typename T> class BlockingQueue {
public:
  T pop() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return !q_.empty(); });
    T v = q_.front();
    q_.pop_front();
    return v;
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> q_;
};

using SetName = void (*)(const char *);
using SetLabel = void (*)(const char *, const char *);

static void name(const char *n) {
  pthread_setname_np(pthread_self(), n);
}

int main() {
  auto set_label = reinterpret_cast<SetLabel>(dlsym(RTLD_DEFAULT, "tether_set_label"));
  if (!set_label) {
    fprintf(stderr, "tether_set_label not found: not running under tether\n");
    return 2;
  }
  set_label("job", "demo"); // inherited by every thread below
  std::mutex held;
  held.lock();
  pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
  pthread_rwlock_rdlock(&rw);
  std::mutex cmu;
  std::condition_variable cv;
  sem_t sem;
  sem_init(&sem, 0, 0);
  std::atomic<int> flag{0};
  std::latch latch(2);
  std::counting_semaphore<1> csem(0);
  int fds[2];
  if (pipe(fds) != 0)
    return 3;
  BlockingQueue<int> queue;

  std::thread t_mutex([&] { name("w-mutex"); std::lock_guard<std::mutex> g(held); });
  std::thread t_rw([&] { name("w-rwlock"); pthread_rwlock_wrlock(&rw); pthread_rwlock_unlock(&rw); });
  std::thread t_cond([&] {
    name("w-cond");
    std::unique_lock<std::mutex> l(cmu);
    cv.wait(l, [&] { return flag.load() == 1; });
  });
  std::thread t_sem([&] { name("w-sem"); sem_wait(&sem); });
  std::thread t_sleep([] { name("w-sleep"); std::this_thread::sleep_for(std::chrono::seconds(3)); });
  std::thread t_atomic([&] { name("w-atomic"); flag.wait(0); });
  std::thread t_latch([&] { name("w-latch"); latch.arrive_and_wait(); });
  std::thread t_csem([&] { name("w-csem"); csem.acquire(); });
  std::thread t_io([&] {
    name("w-io");
    char c;
    ssize_t n = read(fds[0], &c, 1);
    (void)n;
  });
  std::thread t_queue([&] { name("w-queue"); (void)queue.pop(); });
  std::thread t_join([&] { name("w-join"); t_sleep.join(); });

  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  kill(getpid(), SIGQUIT);
  awaitReport();
  fflush(stdout);
  _exit(0);
}
