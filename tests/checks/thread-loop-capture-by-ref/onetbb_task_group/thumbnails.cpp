// oneTBB's task_group: run(f) queues a task the group owns, wait() returns
// once all of them have run. Compiled against the real oneTBB headers.
// requires-pkg: tbb
#include <oneapi/tbb/task_group.h>

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

struct Image {
  std::string path;
  int width = 0;
  int height = 0;
};

Image load_image(const std::string &path);
void save_thumbnail(const Image &img, int size);

class ThumbnailBatch {
public:
  explicit ThumbnailBatch(int size) : size_(size) {}

  // --- must flag -----------------------------------------------------------

  // The tasks run after the iteration that queued them: `path` and `img`
  // are gone (or reused) by then.
  void render(const std::vector<std::string> &paths) {
    for (const std::string &path : paths) {
      Image img = load_image(path); // want-note "'img' declared here"
      group_.run([&] { save_thumbnail(img, size_); }); // want thread-loop-capture-by-ref "variable 'img', declared in the loop body, is captured by reference"
    }
    group_.wait();
  }

  void render_range(const std::vector<Image> &images, std::size_t from,
                    std::size_t to) {
    for (std::size_t i = from; i < to; ++i) // want-note "'i' declared here"
      group_.run([&images, &i, this] { save_thumbnail(images[i], size_); }); // want thread-loop-capture-by-ref "loop variable 'i' is captured by reference by a task"
    group_.wait();
  }

  // --- must not flag -------------------------------------------------------

  // Captured by value, or waited for in the same iteration.
  void render_copies(const std::vector<std::string> &paths) {
    for (const std::string &path : paths) {
      Image img = load_image(path);
      group_.run([img, this] { save_thumbnail(img, size_); });
    }
    group_.wait();
  }

  void render_in_rounds(const std::vector<std::vector<Image>> &rounds) {
    for (const auto &round : rounds) {
      for (const Image &img : round)
        group_.run([&img, this] { save_thumbnail(img, size_); });
      group_.wait(); // every task of the round has run before the next one
    }
  }

  int count_large(const std::vector<Image> &images) {
    int large = 0;
    std::mutex mu;
    for (std::size_t i = 0; i < images.size(); ++i)
      group_.run([&, i] {
        if (images[i].width > 1024) {
          std::lock_guard<std::mutex> lk(mu);
          ++large;
        }
      });
    group_.wait();
    return large;
  }

private:
  int size_;
  tbb::task_group group_;
};
