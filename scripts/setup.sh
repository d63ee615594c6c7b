#!/usr/bin/env bash
# Installs what tether needs to build and test on Debian 12 (run as root).
# Fast when everything is present: apt-get runs only for missing packages.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# clang-tidy-19 runs the clang-tidy plugin's tests (tests/clang-tidy); the
# plugin itself builds from libclang-19-dev's clang-tidy headers.
packages=(cmake ninja-build ccache g++ clang-19 llvm-19-dev libclang-19-dev
          nlohmann-json3-dev libgtest-dev libclang-rt-19-dev python3 libboost-fiber-dev libboost-thread-dev
          libasio-dev libboost1.81-doc time clang-tidy-19)
# The runtime's test programs and integration targets.
if [ -f "$here/runtime/apt-packages.txt" ]; then
  while read -r p; do
    [ -n "$p" ] && [ "${p#\#}" = "$p" ] && packages+=("$p")
  done < "$here/runtime/apt-packages.txt"
fi
npm_packages=()
# Test directories declare what they need in requirements.txt, one
# `apt:PACKAGE` or `npm:PACKAGE` a line.
for req in "$here"/tests/*/requirements.txt; do
  [ -f "$req" ] || continue
  while read -r line; do
    case "$line" in
      apt:*) packages+=("${line#apt:}") ;;
      npm:*) npm_packages+=("${line#npm:}") ;;
    esac
  done < "$req"
done

missing=()
for p in "${packages[@]}"; do
  # Node may come from outside Debian on some images: only npm matters.
  [ "$p" = nodejs ] && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#npm_packages[@]} -gt 0 ] && ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi
clean=("${missing[@]}")
if [ ${#clean[@]} -gt 0 ]; then
  echo "setup: installing ${clean[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${clean[@]}" >/dev/null
fi

for p in "${npm_packages[@]}"; do
  if ! npm ls -g --depth=0 "$p" >/dev/null 2>&1; then
    echo "setup: npm install -g $p"
    npm install -g --no-fund --no-audit "$p" >/dev/null
  fi
done
