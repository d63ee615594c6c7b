// With report_fork_join: false, threads this function joins after the loop
// are not reported even when their number comes from input; detached ones
// and those kept in a member still are.
#include <cstddef>
#include <istream>
#include <string>
#include <thread>
#include <vector>

struct Order {
  std::string id;
  int quantity = 0;
};
void fulfil(const Order &o);

class Warehouse {
public:
  // Joined before returning: quiet with the option off.
  void fulfil_batch(const std::vector<Order> &orders) {
    std::vector<std::thread> pickers;
    for (const Order &o : orders)
      pickers.emplace_back(fulfil, std::cref(o));
    for (auto &t : pickers)
      t.join();
  }

  // Kept in a member until shutdown: not a fork-join, still reported.
  void fulfil_later(const std::vector<Order> &orders) {
    for (const Order &o : orders)
      pending_.emplace_back(fulfil, o); // want thread-unbounded-spawn "parameter 'orders' of 'fulfil_later', whose size comes from its callers"
  }

  // One detached thread per order read: still reported.
  void stream_orders(std::istream &in) {
    Order o;
    while (in >> o.id >> o.quantity)
      std::thread(fulfil, o).detach(); // want thread-unbounded-spawn "one iteration per item read in the loop condition"
  }

  ~Warehouse() {
    for (auto &t : pending_)
      t.join();
  }

private:
  std::vector<std::thread> pending_;
};
