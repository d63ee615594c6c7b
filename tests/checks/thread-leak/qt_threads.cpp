// QThread subclasses. A QThread is its own handle: start() runs the
// object's run() on a new thread, wait() returns when that thread has
// finished (wait(ms) at the timeout), and destroying a QThread whose thread
// still runs aborts the program ("QThread: Destroyed while thread is still
// running").
// Compiled against the real Qt 5 headers.
// requires-pkg: Qt5Core
#include <QtCore/QMutex>
#include <QtCore/QMutexLocker>
#include <QtCore/QObject>
#include <QtCore/QQueue>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QThread>

bool index_file(const QString &path);
QStringList list_files(const QString &root);
void publish(const QString &root, int files);

// Indexes every file under a root, until asked to stop.
class Indexer : public QThread {
public:
  explicit Indexer(QString root) : root_(std::move(root)) {}
  int indexed() const { return indexed_; }

protected:
  void run() override {
    const QStringList files = list_files(root_);
    for (const QString &f : files) {
      if (isInterruptionRequested())
        return;
      if (index_file(f))
        ++indexed_;
    }
  }

private:
  QString root_;
  int indexed_ = 0;
};

// --- must flag -------------------------------------------------------------

// The dry run returns before the wait: the local Indexer is destroyed while
// its thread still runs.
bool reindex(const QString &root, bool dry_run) {
  Indexer indexer(root);
  indexer.start(); // want thread-leak "QThread 'indexer' is not waited for \('wait\(\)'\) on every path; its destructor aborts the program"
  if (dry_run)
    return false; // want-note "returns here without waiting for 'indexer'"
  indexer.wait();
  publish(root, indexer.indexed());
  return true;
}

// Started in the constructor and never waited for: destroying a Library
// while its indexer runs aborts.
class Library {
public:
  explicit Library(const QString &root) : root_(root), indexer_(root) {
    indexer_.start(); // want-note "thread started here"
  }
  ~Library() { publish(root_, 0); } // want thread-leak "QThread member 'indexer_' is never waited for \('wait\(\)'\); destroying a 'Library' while the thread runs aborts the program"
  QString root() const { return root_; }

private:
  QString root_;
  Indexer indexer_; // want-note "member declared here"
};

// --- must not flag ---------------------------------------------------------

// Waited for on every path (a timed wait first, then the join).
int reindex_all(const QString &root, bool hurry) {
  Indexer indexer(root);
  indexer.start();
  if (hurry) {
    indexer.requestInterruption();
    if (!indexer.wait(500))
      indexer.wait();
    return indexer.indexed();
  }
  indexer.wait();
  return indexer.indexed();
}

// The destructor stops and waits for the member thread.
class Catalog {
public:
  explicit Catalog(const QString &root) : indexer_(root) { indexer_.start(); }
  ~Catalog() {
    indexer_.requestInterruption();
    indexer_.wait();
  }

private:
  Indexer indexer_;
};

// Owned by its parent QObject or deleted when it finishes: whoever owns the
// pointer decides, and that is not in sight here.
Indexer *index_in_background(const QString &root, QObject *parent) {
  auto *indexer = new Indexer(root);
  indexer->setParent(parent);
  indexer->start();
  return indexer;
}

void index_and_forget(const QString &root) {
  auto *indexer = new Indexer(root);
  QObject::connect(indexer, &QThread::finished, indexer, &QObject::deleteLater);
  indexer->start();
}

// The worker-object pattern: a plain QThread runs its event loop; quit()
// ends it and wait() joins it.
class Uploader : public QObject {
public:
  void upload(const QString &path) { publish(path, 1); }
};

class UploadService {
public:
  UploadService() {
    uploader_.moveToThread(&thread_);
    thread_.start();
  }
  ~UploadService() {
    thread_.quit();
    thread_.wait();
  }

private:
  QThread thread_;
  Uploader uploader_;
};

// A member whose stop is asked for elsewhere: its class uses it in other
// ways than starting it, and who waits is not certain — not reported.
class Mirror {
public:
  explicit Mirror(const QString &root) : indexer_(root) { indexer_.start(); }
  void cancel() { indexer_.requestInterruption(); }

private:
  Indexer indexer_;
};
