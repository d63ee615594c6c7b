// folly::CancellationToken and asio::cancellation_slot: the same cut chains,
// and a child scope linked with a CancellationCallback.
#include <asio/cancellation_signal.hpp>
#include <folly/CancellationToken.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

struct Row {
  int id = 0;
  std::string payload;
};

std::vector<Row> query(const std::string &sql, folly::CancellationToken ct);
void ship(const std::vector<Row> &rows, const folly::CancellationToken &ct);

class Exporter {
public:
  // The query gets a token nobody can cancel.
  void export_table(const std::string &table, folly::CancellationToken ct) { // want-note "the token this function received"
    if (ct.isCancellationRequested())
      return;
    auto rows = query("select * from " + table, folly::CancellationToken{}); // want cancel-dropped-token "'query' is given a default-constructed stop token instead of 'ct'"
    ship(rows, ct);
  }

  // A token of a source nothing cancels.
  void export_all(const std::vector<std::string> &tables,
                  folly::CancellationToken ct) { // want-note "the token this function received"
    folly::CancellationSource batch;
    for (const auto &t : tables) {
      auto rows = query("select * from " + t, ct);
      ship(rows, batch.getToken()); // want cancel-dropped-token "'ship' is given a token of 'batch' .a local stop source nothing requests. instead of 'ct'"
    }
  }

  // A child source cancelled with the parent: fine.
  void export_limited(const std::string &table, folly::CancellationToken ct,
                      std::size_t limit) {
    folly::CancellationSource child;
    folly::CancellationCallback link(ct, [&child] { child.requestCancellation(); });
    auto rows = query("select * from " + table, child.getToken());
    if (rows.size() > limit)
      child.requestCancellation();
    ship(rows, ct);
  }
};

// asio: the slot of a cancellation_signal is the token. A helper that got
// the caller's slot hands its timer an unconnected one.
void async_wait_ms(int ms, asio::cancellation_slot slot, std::function<void()> done);

class Heartbeat {
public:
  void beat(asio::cancellation_slot slot) { // want-note "the token this function received"
    async_wait_ms(interval_, asio::cancellation_slot(), [this] { ++beats_; }); // want cancel-dropped-token "'async_wait_ms' is given a default-constructed stop token instead of 'slot'"
  }
  void beat_linked(asio::cancellation_slot slot) {
    async_wait_ms(interval_, slot, [this] { ++beats_; });
  }

private:
  int interval_ = 1000;
  int beats_ = 0;
};
