// An export job whose helpers live in helpers.cpp; job.cpp calls them.
// Both the bug and the correct uses need the helpers' bodies from the other
// translation unit.
#pragma once
#include <msd/channel.hpp>
#include <string>
#include <vector>

struct ExportJob {
  msd::channel<std::string> rows{64};
  msd::channel<std::string> errors{8};
};

void emit_rows(ExportJob &job, const std::vector<std::string> &rows);
void close_rows(ExportJob &job);
void report_error(ExportJob &job, const std::string &what);
void close_errors(ExportJob &job);
