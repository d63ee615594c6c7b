#include "job.h"
#include <thread>

// --- must not flag ------------------------------------------------------

// Sends through the helper happen before the close through the helper.
void export_all(ExportJob &job, const std::vector<std::string> &rows) {
  emit_rows(job, rows);
  close_rows(job);
}

// The error channel is closed; the rows channel is not, and is sent on.
void fail_fast(ExportJob &job, const std::vector<std::string> &rows) {
  report_error(job, "partial export");
  close_errors(job);
  emit_rows(job, rows);
  close_rows(job);
}

// A producer thread runs the helper and is joined before the close.
void export_in_background(ExportJob &job, const std::vector<std::string> &rows) {
  std::thread producer([&job, &rows] { emit_rows(job, rows); });
  producer.join();
  close_rows(job);
}

// --- must flag: the rows are emitted after the helper closed them --------

void export_with_trailer(ExportJob &job, const std::vector<std::string> &rows,
                         const std::vector<std::string> &trailer) {
  emit_rows(job, rows);
  close_rows(job);  // want-note "in the call to 'close_rows' here"
  emit_rows(job, trailer);  // want channel-send-after-close "after it may have been closed"
}
