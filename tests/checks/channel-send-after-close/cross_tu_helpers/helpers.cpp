#include "job.h"

void emit_rows(ExportJob &job, const std::vector<std::string> &rows) {
  for (const auto &r : rows)
    job.rows << std::string(r);
}

void close_rows(ExportJob &job) { job.rows.close(); }

void report_error(ExportJob &job, const std::string &what) {
  job.errors << std::string(what);
}

void close_errors(ExportJob &job) { job.errors.close(); }
