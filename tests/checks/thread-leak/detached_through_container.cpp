// Threads kept in a container and detached later through a loop over it,
// an index or back(): that detach is as final as `t.detach()` on the handle
// itself, so what the threads refer to must outlive them just the same.
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

void process(const std::string &item);
bool poll_once();

// The workers print a local of broadcast(), which returns right after
// detaching them.
void broadcast() {
  std::string prefix = "item: ";
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) {
    std::thread t([&prefix, i] { std::printf("%s%d\n", prefix.c_str(), i); });
    workers.push_back(std::move(t));
  }
  for (auto &w : workers)
    w.detach(); // want thread-leak "detached thread refers to local variable 'prefix'"
}

// The senders use `this` of a Mailer that may be destroyed before they end.
class Mailer {
public:
  void send_all() {
    for (int i = 0; i < 3; ++i)
      senders_.emplace_back([this, i] { deliver(i); }); // want-note "'this' captured here"
    for (std::thread &t : senders_)
      t.detach(); // want thread-leak "detached thread uses 'this' of 'Mailer' and may outlive the object"
  }

private:
  void deliver(int i) { ++sent_[i]; }
  std::vector<std::thread> senders_;
  int sent_[3] = {};
};

// A poller that never stops, detached through back().
void start_poller() {
  std::vector<std::thread> pollers;
  pollers.emplace_back([] {
    for (;;)
      poll_once();
  });
  pollers.back().detach(); // want thread-leak "detached thread runs an endless loop with no way to stop it"
}

// Values and shared ownership only: nothing the threads use can die first.
void log_async(std::vector<std::string> lines) {
  auto shared =
      std::make_shared<std::vector<std::string>>(std::move(lines));
  std::vector<std::thread> ts;
  for (int i = 0; i < 2; ++i)
    ts.emplace_back([shared, i] { process((*shared)[i]); });
  for (auto &t : ts)
    t.detach();
}

// Detached by index, with copies of what they print.
void announce(const std::vector<std::string> &names) {
  std::vector<std::thread> ts(2);
  for (int i = 0; i < 2; ++i)
    ts[i] = std::thread([name = names[i]] { process(name); });
  for (int i = 0; i < 2; ++i)
    ts[i].detach();
}

// Joined through the container: references to locals are fine.
void sum_parts() {
  int total = 0;
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&total] { total += 1; });
  for (auto &t : ts)
    t.join();
  std::printf("%d\n", total);
}
