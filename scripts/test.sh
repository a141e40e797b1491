#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root) and runs the whole test suite.
#   bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/build.sh
cd build
# Tests run two at a time, each on one OpenMP thread (tests that compare thread counts set their
# own), with passive waiting: oversubscribed, spinning OpenMP barriers would otherwise dominate.
OMP_NUM_THREADS=1 OMP_WAIT_POLICY=passive ctest --output-on-failure -j"$(nproc)" --timeout 1500
