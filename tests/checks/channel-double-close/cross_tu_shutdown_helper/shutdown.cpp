#include "pipe.h"

void shutdown_pipe(DownloadPipe &p) {
  p.failed = true;
  p.chunks.close();  // want-note "first close here"
}
