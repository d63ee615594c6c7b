// Fibers and threads declared in a try block and joined in sequence, with
// output on a std stream between them. A join of a valid, joinable sibling
// handle does not throw (it throws only for an invalid handle or a
// self-join), and `<<` on a std stream with the default exception mask does
// not throw either: no exception path skips the later joins (Boost.Fiber's
// barrier, ping_pong and simple examples). Nothing to report.
#include <boost/fiber/all.hpp>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

void wait_at(boost::fibers::barrier &b) { b.wait(); }

int barrier_demo() {
  try {
    boost::fibers::barrier fb(2);
    boost::fibers::fiber f1(&wait_at, std::ref(fb));
    boost::fibers::fiber f2(&wait_at, std::ref(fb));
    std::cerr << "f1 : " << f1.get_id() << '\n';
    std::cerr << "f2 : " << f2.get_id() << std::endl;
    f1.join();
    f2.join();
    std::cout << "done." << std::endl;
    return EXIT_SUCCESS;
  } catch (std::exception const &e) {
    std::cerr << "exception: " << e.what() << std::endl;
  }
  return EXIT_FAILURE;
}

class PingPong {
public:
  explicit PingPong(std::size_t rounds) : rounds_(rounds) {}

  int run() {
    try {
      boost::fibers::fiber ping([this] { exchange("ping"); });
      boost::fibers::fiber pong([this] { exchange("pong"); });
      ping.join();
      pong.join();
      std::cout << "exchanged " << rounds_ << " rounds" << '\n';
      return 0;
    } catch (std::exception const &e) {
      std::cerr << e.what() << '\n';
      return 1;
    }
  }

private:
  void exchange(const std::string &word) {
    for (std::size_t i = 0; i < rounds_; ++i)
      chan_.push(word);
  }

  std::size_t rounds_;
  boost::fibers::unbuffered_channel<std::string> chan_;
};

int threads_demo(int n) {
  try {
    std::thread a([n] { std::cout << n << '\n'; });
    std::thread b([n] { std::cout << n * 2 << '\n'; });
    std::cout << "started " << 2 << " threads\n";
    a.join();
    b.join();
  } catch (const std::system_error &e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
  return 0;
}
