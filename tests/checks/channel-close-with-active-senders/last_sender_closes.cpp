// "Last one out closes": an atomic count of live senders; only the sender
// that brings it to zero closes, after its own last send. Correct.
// Currently reported (false positive): channel-close-with-active-senders
// "closed by each of several concurrent senders"; the close's guard on the
// counter is not understood.
#include <boost/fiber/buffered_channel.hpp>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

using Chan = boost::fibers::buffered_channel<int>;

class Gatherer {
public:
  explicit Gatherer(int n) : live_(n) {}
  void start(int n) {
    for (int i = 0; i < n; ++i)
      senders_.emplace_back([this, i] {
        out_->push(i);
        if (live_.fetch_sub(1) == 1)
          out_->close();
      });
  }
  ~Gatherer() {
    for (auto &s : senders_)
      s.join();
  }

private:
  std::atomic<int> live_;
  std::shared_ptr<Chan> out_ = std::make_shared<Chan>(64);
  std::vector<std::thread> senders_;
};
