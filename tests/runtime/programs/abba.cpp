// Classic lock-order inversion: t1 takes A then B, t2 takes B then A.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <unistd.h>

std::mutex A, B;

int main() {
  printf("A=%p B=%p\n", (void *)&A, (void *)&B);
  fflush(stdout);
  std::thread t1([] {
    pthread_setname_np(pthread_self(), "ab");
    std::lock_guard<std::mutex> a(A);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::lock_guard<std::mutex> b(B);
  });
  std::thread t2([] {
    pthread_setname_np(pthread_self(), "ba");
    std::lock_guard<std::mutex> b(B);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::lock_guard<std::mutex> a(A);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  _exit(0);
}
