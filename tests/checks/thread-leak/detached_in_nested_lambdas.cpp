// A thread detached inside a lambda: the lambda's own locals die when its
// call returns, but a variable the lambda captured from the function around
// it is not one of its locals. Captured by reference it is a reference (to
// what the enclosing function owns, which the enclosing function keeps alive
// or not — its own question); captured by copy it is a member of the
// closure. Neither is "a local variable" of the detaching function.
#include <functional>
#include <string>
#include <thread>
#include <vector>

void send_line(int fd, const std::string &line);

class Acceptor {
public:
  void on_accept(std::function<void(int)> cb) { callbacks_.push_back(std::move(cb)); }
  [[noreturn]] void serve_forever();

private:
  std::vector<std::function<void(int)>> callbacks_;
};

// The greeting is a local of the callback, destroyed when it returns.
void serve_greeting(Acceptor &a) {
  a.on_accept([](int fd) {
    std::string greeting = "hello\n";
    std::thread([&greeting, fd] { send_line(fd, greeting); }).detach(); // want thread-leak "detached thread refers to local variable 'greeting'"
  });
  a.serve_forever();
}

// `banner` is captured by reference by the callback, then by the thread:
// in the callback it is a reference to serve_banner's local.
void serve_banner(Acceptor &a, bool verbose) {
  std::string banner = verbose ? "welcome, verbose mode\n" : "welcome\n";
  a.on_accept([&banner](int fd) {
    std::thread([&banner, fd] { send_line(fd, banner); }).detach();
  });
  a.serve_forever();
}

// Captured by copy: the thread refers to the closure's copy, which lives as
// long as the acceptor keeps the callback.
void serve_motd(Acceptor &a, const std::string &motd_file) {
  std::string motd = "motd from " + motd_file + "\n";
  a.on_accept([motd](int fd) {
    std::thread([&motd, fd] { send_line(fd, motd); }).detach();
  });
  a.serve_forever();
}

// An implicit `[&]` in both lambdas: still a reference in the callback.
void serve_prompt(Acceptor &a) {
  std::string prompt = "> ";
  a.on_accept([&](int fd) {
    std::thread([&] { send_line(fd, prompt); }).detach(); // want thread-leak "detached thread refers to local variable 'fd'"
  });
  a.serve_forever();
}
