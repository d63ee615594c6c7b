#include "Finding.h"

#include <tuple>

namespace tether {

const char *severityName(Severity S) {
  switch (S) {
  case Severity::Remark:
    return "remark";
  case Severity::Warning:
    return "warning";
  case Severity::Error:
    return "error";
  }
  return "warning";
}

bool operator<(const Finding &A, const Finding &B) {
  return std::tie(A.Where.File, A.Where.Line, A.Where.Column, A.CheckId,
                  A.Message) < std::tie(B.Where.File, B.Where.Line,
                                        B.Where.Column, B.CheckId, B.Message);
}

} // namespace tether
