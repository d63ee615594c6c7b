// Which thread each step runs in: the blocked send is in the detached
// sender (the primary location's thread, named by its start), the start,
// the receiver giving up and the channel's creation in the function that
// starts it.
#include <boost/fiber/unbuffered_channel.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

using Reply = boost::fibers::unbuffered_channel<std::string>;
using boost::fibers::channel_op_status;
using namespace std::chrono_literals;

std::string query_dns(const std::string &host);
bool shutting_down();

class Resolver {
public:
  std::optional<std::string> resolve(const std::string &host) {
    auto reply = std::make_shared<Reply>(); // want-note "channel created here" thread "^thread running 'Resolver::resolve'$"
    std::thread([reply, host] { // want-note "the sender is detached here" thread "^thread running 'Resolver::resolve'$"
      reply->push(query_dns(host)); // want channel-blocked-send-leak "can block forever" thread "^thread started at thread_flows.cpp:23$"
    }).detach();
    return wait_for_reply(*reply);
  }

  // The sender runs a member function; the receiver gives up when the
  // service shuts down.
  std::optional<std::string> reverse(const std::string &addr) {
    auto reply = std::make_shared<Reply>(); // want-note "channel created here" thread "^thread running 'Resolver::reverse'$"
    std::thread t(&Resolver::lookup_into, this, reply, addr); // want-note "the sender is detached here" thread "^thread running 'Resolver::reverse'$"
    t.detach(); // want thread-leak "uses .this. of .Resolver."
    if (shutting_down())
      return std::nullopt;
    std::string name;
    reply->pop(name);
    return name;
  }

private:
  void lookup_into(std::shared_ptr<Reply> out, std::string addr) {
    out->push(query_dns(addr)); // want channel-blocked-send-leak "can block forever" thread "^thread started at thread_flows.cpp:33$"
  }

  std::optional<std::string> wait_for_reply(Reply &r) {
    std::string v;
    if (r.pop_wait_for(v, timeout_) != channel_op_status::success) // want-note "the receiver may give up here" thread "^thread running 'Resolver::resolve'$"
      return std::nullopt;
    return v;
  }

  std::chrono::milliseconds timeout_{250};
};
