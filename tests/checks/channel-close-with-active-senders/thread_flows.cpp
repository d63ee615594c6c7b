// Which thread each step runs in. The close is the primary location: its
// thread comes first; the concurrent send is in the thread that sends, the
// start of a thread in the function that starts it. Senders started from
// one place more than once are told apart as "another" thread of that
// start.
#include <boost/fiber/buffered_channel.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using Lines = boost::fibers::buffered_channel<std::string>;
using boost::fibers::channel_op_status;

std::string render(int row);

// The owner forwards a header itself and closes while the forwarder
// thread may still send.
class Report {
public:
  explicit Report(std::shared_ptr<Lines> out) : out_(std::move(out)) {}
  void write(std::shared_ptr<Lines> body) {
    std::thread fwd([this, body] { // want-note "in the thread started here" thread "^thread running 'Report::write'$"
      std::string line;
      while (body->pop(line) == channel_op_status::success)
        out_->push(line); // want-note "concurrent send here" thread "^thread started at thread_flows.cpp:23$"
    });
    out_->push("header");
    out_->close(); // want channel-close-with-active-senders "while another sender may still send" thread "^thread running 'Report::write'$"
    fwd.join();
  }

private:
  std::shared_ptr<Lines> out_;
};

// Every renderer closes when it is done: the first close fails the others'
// sends. The close and the send are in two threads of the same start.
void render_rows(Lines &out, const std::vector<int> &rows) {
  std::vector<std::thread> renderers;
  for (int row : rows)
    renderers.emplace_back([&out, row] { // want-note "senders started here" thread "^thread running 'render_rows'$" want thread-unbounded-spawn "parameter 'rows' of 'render_rows'"
      out.push(render(row)); // want-note "concurrent send here" thread "^another thread started at thread_flows.cpp:42$"
      out.close(); // want channel-close-with-active-senders "each of several concurrent senders" thread "^thread started at thread_flows.cpp:42$"
    });
  for (std::thread &t : renderers)
    t.join();
}
