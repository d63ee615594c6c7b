// The bug needs shutdown.cpp: shutdown_pipe() already closed the channel on
// the error path, and download() closes it again.
#include "pipe.h"

void download(DownloadPipe &p, const std::vector<std::string> &urls) {
  for (const auto &u : urls) {
    if (u.empty()) {
      shutdown_pipe(p);
      break;
    }
    p.chunks << u;
  }
  p.chunks.close();  // want channel-double-close "may already be closed"
}
