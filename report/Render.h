// Internal pieces of the page, shared by the renderer's files.
#pragma once

#include "Analysis.h"
#include "Html.h"
#include "Model.h"
#include "Report.h"

#include <map>
#include <string>
#include <vector>

namespace tether::report {

// Source lines of the findings' files, read once.
class Sources {
public:
  explicit Sources(std::string Root) : Root(std::move(Root)) {}
  // Line N (1-based) of File, or nullptr when unavailable.
  const std::string *line(const std::string &File, unsigned N);

private:
  std::string Root;
  std::map<std::string, std::vector<std::string>> Files;
};

std::string seconds(uint64_t Ns);
std::string frameText(const Frame &F);
std::string fileLine(const std::string &File, unsigned Line);

// The runtime part of the page: groups, cycles (SVG), timeline (SVG).
void renderRuntime(std::string &Out, const Model &M, const Analysis &An);
// The runtime numbers of the summary.
void renderRuntimeSummary(std::string &Out, const Model &M, const Analysis &An);

// The page's stylesheet and script (report/assets/, embedded at build time).
extern const char ReportCss[];
extern const char ReportJs[];

} // namespace tether::report
