// Classic lock-order inversion: t1 takes A then B, t2 takes B then A.
// `abba masked`: both threads block every signal first (so the shim cannot
// ask them for their stacks at report time). `abba exit`: ends with exit(0)
// (atexit handlers run) instead of _exit(0).
#include "await_report.h"
#include <atomic>
#include <csignal>
#include <cstring>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <unistd.h>

std::mutex A, B;
// Both first locks are held before either thread takes its second: the
// deadlock happens however late a thread gets scheduled.
std::atomic<int> holding{0};
static void bothHolding() {
  ++holding;
  while (holding.load() < 2)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

static bool g_masked = false;
static void maybeMask() {
  if (!g_masked)
    return;
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
}

int main(int argc, char **argv) {
  g_masked = argc > 1 && strcmp(argv[1], "masked") == 0;
  printf("A=%p B=%p\n", (void *)&A, (void *)&B);
  fflush(stdout);
  std::thread t1([] {
    pthread_setname_np(pthread_self(), "ab");
    maybeMask();
    std::lock_guard<std::mutex> a(A);
    bothHolding();
    std::lock_guard<std::mutex> b(B);
  });
  std::thread t2([] {
    pthread_setname_np(pthread_self(), "ba");
    maybeMask();
    std::lock_guard<std::mutex> b(B);
    bothHolding();
    std::lock_guard<std::mutex> a(A);
  });
  awaitReport();
  // More monitor scans: the cycle must not be reported again.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  if (argc > 1 && strcmp(argv[1], "exit") == 0)
    exit(0);
  _exit(0);
}
