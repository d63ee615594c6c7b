// Qt's synchronisation: QMutex with QMutexLocker, QWaitCondition::wait(&m)
// (releases m while it waits), QSemaphore::acquire, QThread::wait() (until
// the thread has finished; wait(ms) returns at the timeout).
// Compiled against the real Qt 5 headers.
// requires-pkg: Qt5Core
#include <QtCore/QMutex>
#include <QtCore/QMutexLocker>
#include <QtCore/QQueue>
#include <QtCore/QSemaphore>
#include <QtCore/QString>
#include <QtCore/QThread>
#include <QtCore/QWaitCondition>

struct RenderJob {
  QString scene;
  int frame = 0;
};

void render(const RenderJob &job);

// --- must flag -------------------------------------------------------------

class RenderQueue {
public:
  explicit RenderQueue(int slots) : free_(slots) {}

  // Waits for a free slot while holding the mutex that take() needs to hand
  // a slot back: once the queue is full, both sides wait forever.
  void submit(const RenderJob &job) {
    QMutexLocker locker(&mutex_); // want-note "mutex locked here"
    free_.acquire(); // want lock-held-across-blocking "mutex 'this->mutex_' is held across a blocking semacquire"
    jobs_.enqueue(job);
    ready_.wakeOne();
  }

  // Waits on the queue's condition while the statistics mutex stays
  // locked: every reader of the statistics waits for the next job.
  RenderJob take() {
    QMutexLocker stats(&stats_mutex_); // want-note "mutex locked here"
    QMutexLocker locker(&mutex_);
    while (jobs_.isEmpty())
      ready_.wait(&mutex_); // want lock-held-across-blocking "mutex 'this->stats_mutex_' is held across a blocking cond wait"
    ++taken_;
    free_.release();
    return jobs_.dequeue();
  }

  // Joins the render thread while holding the mutex it takes in take().
  void shutdown(QThread *renderer) {
    QMutexLocker locker(&mutex_); // want-note "mutex locked here"
    renderer->requestInterruption();
    ready_.wakeAll();
    renderer->wait(); // want lock-held-across-blocking "mutex 'this->mutex_' is held across a blocking thread join"
  }

private:
  QMutex mutex_;
  QMutex stats_mutex_;
  QWaitCondition ready_;
  QSemaphore free_;
  QQueue<RenderJob> jobs_;
  int taken_ = 0;
};

// --- must not flag ---------------------------------------------------------

class RenderQueueFixed {
public:
  explicit RenderQueueFixed(int slots) : free_(slots) {}

  void submit(const RenderJob &job) {
    free_.acquire();
    QMutexLocker locker(&mutex_);
    jobs_.enqueue(job);
    ready_.wakeOne();
  }

  // The wait releases the only mutex held.
  RenderJob take() {
    QMutexLocker locker(&mutex_);
    while (jobs_.isEmpty())
      ready_.wait(&mutex_);
    free_.release();
    return jobs_.dequeue();
  }

  // Bounded waits under the lock return on their own.
  bool try_submit(const RenderJob &job) {
    QMutexLocker locker(&mutex_);
    if (!free_.tryAcquire(1, 50))
      return false;
    jobs_.enqueue(job);
    ready_.wakeOne();
    return true;
  }

  bool shutdown(QThread *renderer) {
    {
      QMutexLocker locker(&mutex_);
      renderer->requestInterruption();
      ready_.wakeAll();
    }
    if (renderer->wait(2000))
      return true;
    QMutexLocker locker(&mutex_);
    return renderer->wait(100);
  }

private:
  QMutex mutex_;
  QWaitCondition ready_;
  QSemaphore free_;
  QQueue<RenderJob> jobs_;
};
