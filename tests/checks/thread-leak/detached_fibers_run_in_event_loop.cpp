// Fibers detached with references to locals of main, which then blocks in
// io.run(): the fibers run on this thread only inside run(), and run()
// returns once all work handed to the io_context has finished (the server
// fiber stops the loop after its last use of the acceptor). run() is the
// wait (a blocking model with `waits_for_work`), as in Boost.Fiber's asio
// examples. Nothing to report.
#include <boost/asio.hpp>
#include <boost/fiber/all.hpp>
#include <cstdio>
#include <functional>
#include <memory>

using boost::asio::ip::tcp;

struct ServerStats {
  unsigned accepted = 0;
  unsigned rejected = 0;
};

void serve(std::shared_ptr<boost::asio::io_context> const &io,
           tcp::acceptor &acceptor, ServerStats &stats) {
  boost::system::error_code ec;
  while (acceptor.is_open()) {
    tcp::socket socket(*io);
    acceptor.accept(socket, ec);
    if (ec)
      break;
    ++stats.accepted;
  }
  io->stop(); // the last action: run() in main returns
}

void client(tcp::acceptor &acceptor, boost::fibers::barrier &barrier) {
  if (barrier.wait())
    acceptor.close(); // exactly one client closes the acceptor
}

int run_echo_server(unsigned short port, unsigned clients) {
  auto io = std::make_shared<boost::asio::io_context>();
  tcp::acceptor acceptor(*io, tcp::endpoint(tcp::v4(), port));
  ServerStats stats;
  boost::fibers::fiber(serve, io, std::ref(acceptor), std::ref(stats))
      .detach();
  boost::fibers::barrier barrier(clients);
  for (unsigned i = 0; i < clients; ++i)
    boost::fibers::fiber(client, std::ref(acceptor), std::ref(barrier))
        .detach();
  io->run();
  std::printf("accepted %u\n", stats.accepted);
  return 0;
}

void run_workers(boost::asio::io_context &io) {
  int done = 0;
  boost::fibers::fiber worker([&done] { ++done; });
  worker.detach();
  io.run();
  std::printf("%d\n", done);
}
