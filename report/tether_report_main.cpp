// tether-report: the HTML report without the analyzer (no LLVM), for users
// who only link the runtime shim.
#include "Report.h"

#include <iostream>

int main(int Argc, char **Argv) {
  return tether::report::reportMain(Argc, Argv, std::cout, std::cerr);
}
