// gRPC: CompletionQueue::Next() blocks until an event arrives (or the queue
// is shut down and drained), AsyncNext() returns at its deadline, and
// Server::Wait() returns only after Shutdown() from another thread.
// Compiled against the real gRPC headers.
// requires-pkg: grpc++
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

// What an asynchronous call leaves behind: its tag points to this.
struct PendingCall {
  grpc::ClientContext context;
  grpc::Status status;
  std::string sku;
};

// Starts the asynchronous lookup of one SKU on the queue (the generated
// stub's PrepareAsync...() + StartCall() + Finish(), elsewhere).
void start_lookup(grpc::CompletionQueue &cq, PendingCall *call);

// --- must flag -------------------------------------------------------------

// The cache waits for the reply while holding the mutex every reader of the
// cache needs: one slow RPC stalls them all, and a completion handler that
// takes the mutex deadlocks.
class InventoryCache {
public:
  int stock(const std::string &sku) {
    std::lock_guard<std::mutex> lk(mu_); // want-note "mutex locked here"
    auto it = stock_.find(sku);
    if (it != stock_.end())
      return it->second;
    auto *call = new PendingCall;
    call->sku = sku;
    start_lookup(cq_, call);
    void *tag = nullptr;
    bool ok = false;
    if (!cq_.Next(&tag, &ok)) // want lock-held-across-blocking "mutex 'this->mu_' is held across a blocking channel receive"
      return -1;
    std::unique_ptr<PendingCall> done(static_cast<PendingCall *>(tag));
    return stock_[sku] = ok && done->status.ok() ? 1 : 0;
  }

  void shutdown() {
    cq_.Shutdown();
  }

private:
  std::mutex mu_;
  std::map<std::string, int> stock_;
  grpc::CompletionQueue cq_;
};

// Serving until shutdown while holding the registry's mutex: the admin
// thread that calls stop() needs the same mutex to reach Shutdown().
class InventoryServer {
public:
  void serve(std::unique_ptr<grpc::Server> server) {
    std::lock_guard<std::mutex> lk(mu_); // want-note "mutex locked here"
    server_ = std::move(server);
    server_->Wait(); // want lock-held-across-blocking "mutex 'this->mu_' is held across a blocking cond wait"
  }
  void stop() {
    std::lock_guard<std::mutex> lk(mu_);
    if (server_)
      server_->Shutdown();
  }

private:
  std::mutex mu_;
  std::unique_ptr<grpc::Server> server_;
};

// --- must not flag ---------------------------------------------------------

// The same lookup with the wait outside the lock, or bounded by a deadline.
class InventoryCacheFixed {
public:
  int stock(const std::string &sku) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      auto it = stock_.find(sku);
      if (it != stock_.end())
        return it->second;
    }
    auto *call = new PendingCall;
    call->sku = sku;
    start_lookup(cq_, call);
    void *tag = nullptr;
    bool ok = false;
    if (!cq_.Next(&tag, &ok))
      return -1;
    std::unique_ptr<PendingCall> done(static_cast<PendingCall *>(tag));
    std::lock_guard<std::mutex> lk(mu_);
    return stock_[sku] = ok && done->status.ok() ? 1 : 0;
  }

  // Polls for at most 20 ms under the lock.
  bool poll_once() {
    std::lock_guard<std::mutex> lk(mu_);
    void *tag = nullptr;
    bool ok = false;
    auto deadline = std::chrono::system_clock::now() +
                    std::chrono::milliseconds(20);
    if (cq_.AsyncNext(&tag, &ok, deadline) !=
        grpc::CompletionQueue::GOT_EVENT)
      return false;
    std::unique_ptr<PendingCall> done(static_cast<PendingCall *>(tag));
    stock_[done->sku] = ok && done->status.ok() ? 1 : 0;
    return true;
  }

  void shutdown() { cq_.Shutdown(); }

private:
  std::mutex mu_;
  std::map<std::string, int> stock_;
  grpc::CompletionQueue cq_;
};

class InventoryServerFixed {
public:
  void serve(std::unique_ptr<grpc::Server> server) {
    grpc::Server *s = nullptr;
    {
      std::lock_guard<std::mutex> lk(mu_);
      server_ = std::move(server);
      s = server_.get();
    }
    s->Wait();
  }
  void stop() {
    std::lock_guard<std::mutex> lk(mu_);
    if (server_)
      server_->Shutdown();
  }

private:
  std::mutex mu_;
  std::unique_ptr<grpc::Server> server_;
};
