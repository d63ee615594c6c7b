// Two threads that join each other.
#include <chrono>
#include <pthread.h>
#include <thread>
#include <unistd.h>

pthread_t t1, t2;
pthread_barrier_t ready;

static void *first(void *) {
  pthread_barrier_wait(&ready);
  pthread_join(t2, nullptr);
  return nullptr;
}
static void *second(void *) {
  pthread_barrier_wait(&ready);
  pthread_join(t1, nullptr);
  return nullptr;
}

int main() {
  pthread_barrier_init(&ready, nullptr, 3);
  pthread_create(&t1, nullptr, first, nullptr);
  pthread_create(&t2, nullptr, second, nullptr);
  pthread_barrier_wait(&ready);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  _exit(0);
}
