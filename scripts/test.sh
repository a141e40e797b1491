#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root) and runs the whole test suite.
#   bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 1500
