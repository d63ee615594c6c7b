// QThreadPool::start(f) runs f on one of the pool's threads, after the
// iteration that queued it; waitForDone() waits for all of them.
// Compiled against the real Qt 5 headers.
// requires-pkg: Qt5Core
#include <QtCore/QMutex>
#include <QtCore/QMutexLocker>
#include <QtCore/QString>
#include <QtCore/QThreadPool>
#include <QtCore/QVector>

struct Tile {
  int x = 0;
  int y = 0;
  QString layer;
};

QVector<Tile> tiles_of(const QString &layer, int zoom);
void rasterize(const Tile &tile, int zoom);

class TileRenderer {
public:
  explicit TileRenderer(QThreadPool *pool) : pool_(pool) {}

  // --- must flag -----------------------------------------------------------

  void render_layer(const QString &layer, int zoom) {
    const QVector<Tile> tiles = tiles_of(layer, zoom);
    for (int i = 0; i < tiles.size(); ++i) // want-note "'i' declared here"
      pool_->start([&] { rasterize(tiles[i], zoom); }); // want thread-loop-capture-by-ref "loop variable 'i' is captured by reference \(\[&\]\) by a task"
    pool_->waitForDone();
  }

  // --- must not flag -------------------------------------------------------

  void render_layer_copies(const QString &layer, int zoom) {
    const QVector<Tile> tiles = tiles_of(layer, zoom);
    for (int i = 0; i < tiles.size(); ++i)
      pool_->start([&tiles, i, zoom] { rasterize(tiles[i], zoom); });
    pool_->waitForDone();
  }

  int render_zooms(const QString &layer, int max_zoom) {
    int done = 0;
    QMutex mu;
    for (int zoom = 0; zoom <= max_zoom; ++zoom) {
      const QVector<Tile> tiles = tiles_of(layer, zoom);
      for (const Tile &t : tiles)
        pool_->start([&t, &zoom, &mu, &done] {
          rasterize(t, zoom);
          QMutexLocker locker(&mu);
          ++done;
        });
      pool_->waitForDone(); // this zoom level is finished before the next
    }
    return done;
  }

private:
  QThreadPool *pool_;
};
