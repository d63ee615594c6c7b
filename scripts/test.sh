#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite with CTest.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${TETHER_BUILD_DIR:-$here/build}
"$here/scripts/setup.sh"
"$here/scripts/build.sh"
export TETHER_REQUIRE_SARIF_VALIDATOR=1
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" "$@"
