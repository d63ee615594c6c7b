// QThread::wait() under a mutex: a deadlock only if the thread being waited
// for takes that mutex — its run(), found from the start() of the object
// (a member, a local) or, for `wait()` in the thread class itself, the
// class's own run().
// Compiled against the real Qt 5 headers.
// requires-pkg: Qt5Core
#include <QtCore/QMutex>
#include <QtCore/QMutexLocker>
#include <QtCore/QQueue>
#include <QtCore/QString>
#include <QtCore/QThread>
#include <QtCore/QWaitCondition>

#include <atomic>
#include <string>

// Defined here: what the threads below run is all in sight.
QString fetch(const QString &url) { return url + QStringLiteral("#page"); }
void store(const QString &url, const QString &page) {
  QString copy = url;
  copy += page;
}

// --- must flag -------------------------------------------------------------

// stop() waits for the crawler while holding the mutex its run() needs to
// see the abort flag: run() blocks on the mutex, stop() on run().
class Crawler : public QThread {
public:
  void enqueue(const QString &url) {
    QMutexLocker lock(&mutex_);
    urls_.enqueue(url);
    more_.wakeOne();
  }
  void stop() {
    QMutexLocker lock(&mutex_); // want-note "mutex locked here"
    abort_ = true;
    more_.wakeOne();
    wait(); // want lock-held-across-blocking "mutex 'this->mutex_' is held across a blocking thread join; the joined thread takes it too \(in '(Crawler::)?run'\): a deadlock"
  }

protected:
  void run() override {
    for (;;) {
      QMutexLocker lock(&mutex_); // want-note "the joined thread takes the mutex here"
      while (urls_.isEmpty() && !abort_)
        more_.wait(&mutex_);
      if (abort_)
        return;
      QString url = urls_.dequeue();
      lock.unlock();
      store(url, fetch(url));
    }
  }

private:
  QMutex mutex_;
  QWaitCondition more_;
  QQueue<QString> urls_;
  bool abort_ = false;
};

// --- must not flag ---------------------------------------------------------

// Qt's own example shape: the flag is set under the mutex, which is
// released before the wait.
class Renderer : public QThread {
public:
  ~Renderer() override {
    mutex_.lock();
    abort_ = true;
    wake_.wakeOne();
    mutex_.unlock();
    wait();
  }

protected:
  void run() override {
    for (;;) {
      QMutexLocker lock(&mutex_);
      if (abort_)
        return;
      wake_.wait(&mutex_);
    }
  }

private:
  QMutex mutex_;
  QWaitCondition wake_;
  bool abort_ = false;
};

// A lifecycle lock the thread never takes: the uploader's run() uses only
// what it was given, and all of its code is in sight. (A run() that calls
// into a library whose code is not in sight — Qt's own functions — gets
// "whether the joined thread takes it is unknown" instead: see the doc.)
int upload_chunk(const std::string &url, int chunk) {
  return static_cast<int>(url.size()) + chunk;
}

class UploadThread : public QThread {
public:
  void setUrl(const std::string &url) { url_ = url; }
  void halt() { halted_.store(true); }

protected:
  void run() override {
    int chunk = 0;
    while (!halted_.load())
      sent_ += upload_chunk(url_, chunk++);
  }

private:
  std::string url_;
  std::atomic<bool> halted_{false};
  long sent_ = 0;
};

class UploadService {
public:
  void start(const std::string &url) {
    QMutexLocker lock(&state_mutex_);
    uploader_.setUrl(url);
    uploader_.start();
    running_ = true;
  }
  void stop() {
    QMutexLocker lock(&state_mutex_);
    running_ = false;
    uploader_.halt();
    uploader_.wait();
  }

private:
  QMutex state_mutex_;
  bool running_ = false;
  UploadThread uploader_;
};

// A local thread waited for under a lock it never takes; a timed wait
// under the lock returns on its own.
QMutex g_log_mutex;

void upload_once(const std::string &url) {
  UploadThread t;
  t.setUrl(url);
  t.start();
  QMutexLocker lock(&g_log_mutex);
  if (!t.wait(100)) {
    t.halt();
    t.wait();
  }
}
