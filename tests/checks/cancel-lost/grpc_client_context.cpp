// gRPC's ClientContext is a cancellation source (TryCancel() ends its call)
// without tokens: the context itself is handed to the stub. An ordinary call
// whose context is never cancelled hands nothing out that could wait for a
// cancel, so no path has to request it. Compiled against the real gRPC
// headers.
// requires-pkg: grpc++
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

struct Quote {
  std::string symbol;
  double bid = 0;
};

// The generated stub's calls, elsewhere.
grpc::Status get_quote(grpc::ClientContext *ctx, const std::string &symbol,
                       Quote *out);
bool read_next_quote(grpc::ClientContext *ctx, Quote *out);
bool market_open();

// --- must not flag ---------------------------------------------------------

class QuoteClient {
public:
  // A unary call with a deadline and early returns: nothing to cancel.
  bool quote(const std::string &symbol, Quote *out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::milliseconds(200));
    if (!market_open())
      return false;
    grpc::Status st = get_quote(&ctx, symbol, out);
    if (!st.ok())
      return false;
    return out->bid > 0;
  }

  // A stream read on another thread, cancelled on the way out when the
  // reader is still busy.
  int watch(int max_quotes) {
    grpc::ClientContext ctx;
    std::atomic<int> seen{0};
    std::thread reader([&] {
      Quote q;
      while (seen < max_quotes && read_next_quote(&ctx, &q))
        ++seen;
    });
    std::this_thread::sleep_for(std::chrono::seconds(1));
    if (seen < max_quotes)
      ctx.TryCancel();
    reader.join();
    return seen;
  }
};
