// Thread names, labels and a wait reason with invalid UTF-8, quotes,
// backslashes and control characters; then a JSON dump (tether_dump, found
// with dlsym) to dump.json.
#include <condition_variable>
#include <cstdio>
#include <dlfcn.h>
#include <fcntl.h>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <unistd.h>

using SetName = void (*)(const char *);
using SetLabel = void (*)(const char *, const char *);
using BlockBegin = void (*)(const char *, const void *);
using BlockEnd = void (*)();
using Dump = int (*)(int, int);

// Invalid bytes (a lone continuation byte, 0xff, an overlong '/', a
// surrogate, a cut 3-byte sequence), valid multi-byte text, and ASCII that
// JSON must escape.
const char kNasty[] = "a\x80" "b\xff" "c\xc0\xaf" "d\xed\xa0\x80" "e\xe2\x82" "\"q\\b\x01\n\t\x7f"
                      "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";

int main() {
  auto set_name = reinterpret_cast<SetName>(dlsym(RTLD_DEFAULT, "tether_set_thread_name"));
  auto set_label = reinterpret_cast<SetLabel>(dlsym(RTLD_DEFAULT, "tether_set_label"));
  auto block_begin = reinterpret_cast<BlockBegin>(dlsym(RTLD_DEFAULT, "tether_block_begin"));
  auto block_end = reinterpret_cast<BlockEnd>(dlsym(RTLD_DEFAULT, "tether_block_end"));
  auto dump = reinterpret_cast<Dump>(dlsym(RTLD_DEFAULT, "tether_dump"));
  if (!set_name || !set_label || !block_begin || !block_end || !dump) {
    fprintf(stderr, "not running under tether\n");
    return 2;
  }
  std::mutex mu;
  std::condition_variable cv;
  bool blocked = false, go = false;
  std::thread t([&] {
    // 47 bytes of a name are kept: the cut falls inside the 4-byte emoji.
    set_name("01234567890123456789012345678901234567890123\xf0\x9f\x98\x80");
    set_label(kNasty, kNasty);
    block_begin(kNasty, nullptr);
    std::unique_lock<std::mutex> l(mu);
    blocked = true;
    cv.notify_all();
    cv.wait(l, [&] { return go; });
    block_end();
  });
  std::thread u([&] { pthread_setname_np(pthread_self(), "\xff\"\\\x01\n"); });
  u.join();
  set_name(kNasty);
  {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return blocked; });
  }
  int fd = open("dump.json", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int rc = dump(fd, 3);
  close(fd);
  {
    std::lock_guard<std::mutex> l(mu);
    go = true;
  }
  cv.notify_all();
  t.join();
  return rc == 0 ? 0 : 3;
}
