#include "service.h"

#include <string>
#include <vector>

// The owner only sees the class: the findings are in service.cpp.
int main(int argc, char **argv) {
  SessionService service;
  Janitor janitor;
  janitor.start();
  std::vector<std::string> args(argv, argv + argc);
  for (size_t i = 1; i < args.size(); ++i) {
    service.submit(Request{static_cast<int>(i), args[i]});
    service.audit("submitted " + args[i]);
  }
  janitor.stop();
  return 0;
}
