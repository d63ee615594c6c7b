#include "server.h"

#include <string>

// The server is a local: when serve_forever() returns (stop() from a
// signal handler), it is destroyed while handlers still run.
int main() {
  Server srv(8080);
  srv.route("/", [] { return std::string("hello"); });
  srv.serve_forever();
  SafeServer safe;
  safe.serve_forever();
  return 0;
}
