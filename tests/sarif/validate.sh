#!/usr/bin/env bash
# Validates a SARIF file with @microsoft/sarif-multitool and fails on any
# error-level result (the validator itself exits 0 even then).
#   tests/sarif/validate.sh FILE.sarif
# Exit codes: 0 valid, 1 errors found, 2 usage or validator failure,
# 127 validator not installed (see tests/sarif/requirements.txt).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 FILE.sarif" >&2
  exit 2
fi
input=$1
if [ ! -f "$input" ]; then
  echo "$0: no such file: $input" >&2
  exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tool=${SARIF_MULTITOOL:-}
if [ -z "$tool" ]; then
  tool=$(command -v sarif-multitool || true)
fi
if [ -z "$tool" ]; then
  echo "$0: sarif-multitool not found; install it with" \
       "'npm install -g @microsoft/sarif-multitool'" >&2
  exit 127
fi
if ! command -v node >/dev/null; then
  echo "$0: node is needed to read the validator's log" >&2
  exit 127
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$work/validation.sarif

# The validator is a .NET program; it needs no telemetry or first-run setup.
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if ! "$tool" validate "$input" --output "$log" --log ForceOverwrite \
      > "$work/stdout" 2>&1; then
  cat "$work/stdout" >&2
  echo "$0: sarif-multitool failed" >&2
  exit 2
fi
if [ ! -s "$log" ]; then
  cat "$work/stdout" >&2
  echo "$0: sarif-multitool wrote no log" >&2
  exit 2
fi
# Show the validator's findings (warnings included) for the record.
grep -E ': (error|warning|note) ' "$work/stdout" || true
status=0
node "$here/check-log.js" "$log" || status=1

# The multitool's schema pass lets some violations through (bad enum values,
# out-of-range numbers, unknown properties); check against the schema it
# ships as well.
schema=${SARIF_SCHEMA:-}
if [ -z "$schema" ]; then
  pkgdir=$(dirname "$(readlink -f "$tool")")
  for candidate in "$pkgdir/sarif-2.1.0.json" \
      "$pkgdir"/node_modules/@microsoft/sarif-multitool-*/sarif-2.1.0.json \
      "$(npm root -g 2>/dev/null)"/@microsoft/sarif-multitool/node_modules/@microsoft/sarif-multitool-*/sarif-2.1.0.json; do
    if [ -f "$candidate" ]; then
      schema=$candidate
      break
    fi
  done
fi
if [ -z "$schema" ]; then
  echo "$0: the SARIF 2.1.0 schema shipped with sarif-multitool was not found" >&2
  exit 2
fi
node "$here/schema-check.js" "$schema" "$input" || status=1
exit $status
