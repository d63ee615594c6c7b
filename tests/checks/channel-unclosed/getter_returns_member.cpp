// A getter that returns a shared_ptr to a channel the object owns: the
// caller's copy is the object's channel, closed by finish() (or elsewhere),
// not a channel created by the call. Correct: no check may report here.
// Currently reported (false positive): channel-unclosed "nothing closes it"
// on the drain loop, with "channel created here" on `s.out()`: the getter is
// taken for a generator that creates and returns a fresh channel.
#include <boost/fiber/buffered_channel.hpp>
#include <memory>

using Chan = boost::fibers::buffered_channel<int>;

class Source {
public:
  std::shared_ptr<Chan> out() const { return out_; }
  void finish() { out_->close(); }

private:
  std::shared_ptr<Chan> out_ = std::make_shared<Chan>(8);
};

int drain(Source &s) {
  auto ch = s.out();
  int v, n = 0;
  while (ch->pop(v) == boost::fibers::channel_op_status::success)
    ++n;
  return n;
}
