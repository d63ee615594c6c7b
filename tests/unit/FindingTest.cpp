#include "TestFindings.h"

#include <algorithm>
#include <gtest/gtest.h>

using namespace tether;
using namespace tether::test;

TEST(Finding, SeverityNames) {
  EXPECT_STREQ(severityName(Severity::Remark), "remark");
  EXPECT_STREQ(severityName(Severity::Warning), "warning");
  EXPECT_STREQ(severityName(Severity::Error), "error");
}

TEST(Finding, OrderIsFileLineColumnCheck) {
  auto make = [](std::string File, unsigned Line, unsigned Col,
                 std::string Check) {
    Finding F;
    F.Where = point(std::move(File), Line, Col, "");
    F.CheckId = std::move(Check);
    return F;
  };
  std::vector<Finding> F = {make("/b.cpp", 1, 1, "a"), make("/a.cpp", 10, 2, "a"),
                            make("/a.cpp", 9, 5, "b"), make("/a.cpp", 10, 2, "0"),
                            make("/a.cpp", 10, 1, "z")};
  std::sort(F.begin(), F.end());
  std::vector<std::string> Got;
  for (const Finding &X : F)
    Got.push_back(X.Where.File + ":" + std::to_string(X.Where.Line) + ":" +
                  std::to_string(X.Where.Column) + ":" + X.CheckId);
  EXPECT_EQ(Got, (std::vector<std::string>{"/a.cpp:9:5:b", "/a.cpp:10:1:z",
                                           "/a.cpp:10:2:0", "/a.cpp:10:2:a",
                                           "/b.cpp:1:1:a"}));
  EXPECT_FALSE(F[0] < F[0]);
}
