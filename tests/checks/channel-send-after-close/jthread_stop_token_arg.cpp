// std::jthread started with a function whose first parameter is the
// std::stop_token: jthread passes the token first, so the channel argument
// binds to the second parameter. The close runs while the pump may still
// push (~jthread joins only at the end of the scope).
// Currently missed: the arguments are bound to the parameters without the
// token shift (the same code with a lambda is reported).
#include <boost/fiber/buffered_channel.hpp>
#include <functional>
#include <stop_token>
#include <thread>

using Chan = boost::fibers::buffered_channel<int>;

void pump(std::stop_token st, Chan &out) {
  for (int i = 0; !st.stop_requested(); ++i)
    out.push(i);  // want channel-send-after-close "not joined before the close"
}

void start_pump(Chan &ch) {
  std::jthread t(pump, std::ref(ch));
  ch.close();  // want-note "closed here"
}
