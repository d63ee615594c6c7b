// channel-close-with-active-senders: several senders on one channel and one
// of them (or the owner, who also sends) closes while the others may still
// send. The fix is Go's merge(): wait for every sender, then close once.
#include <boost/fiber/buffered_channel.hpp>
#include <memory>
#include <thread>
#include <vector>

using Chan = boost::fibers::buffered_channel<int>;

// --- must flag -------------------------------------------------------------

void each_worker_closes(Chan &out, int n) {
  std::vector<std::thread> workers;
  for (int i = 0; i < n; ++i)
    workers.emplace_back([&out, i] {  // want-note "senders started here"  want thread-unbounded-spawn "parameter 'n' of 'each_worker_closes', whose value comes from its callers"
      out.push(i);  // want-note "concurrent send"
      out.close();  // want channel-close-with-active-senders "each of several concurrent senders"
    });
  for (auto &w : workers) w.join();
}

class Merger {
public:
  explicit Merger(std::shared_ptr<Chan> out) : out_(std::move(out)) {}
  void run(std::shared_ptr<Chan> a) {
    std::thread fwd([this, a] {
      int v;
      while (a->pop(v) == boost::fibers::channel_op_status::success)
        out_->push(v);  // want-note "concurrent send"
    });
    out_->push(0);
    out_->close();  // want channel-close-with-active-senders "while another sender may still send"
    fwd.join();
  }
private:
  std::shared_ptr<Chan> out_;
};

// --- must not flag ---------------------------------------------------------

void merge(std::vector<std::shared_ptr<Chan>> inputs, Chan &out) {
  std::vector<std::thread> forwarders;
  for (auto &in : inputs)
    forwarders.emplace_back([in, &out] {  // want thread-unbounded-spawn "parameter 'inputs' of 'merge', whose size comes from its callers"
      int v;
      while (in->pop(v) == boost::fibers::channel_op_status::success)
        out.push(v);
    });
  for (auto &f : forwarders) f.join();
  out.close();
}

void single_sender_closes(Chan &out) {
  std::thread producer([&out] {
    for (int i = 0; i < 10; ++i) out.push(i);
    out.close();
  });
  producer.join();
}
