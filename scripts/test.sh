#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root) and runs the whole test suite.
#   bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
# The quick start configures ./build without tests: switch them back on explicitly.
bash scripts/build.sh -DSTZ_ENABLE_TESTS=ON -DSTZ_ENABLE_BENCHMARKS=ON
cd build
# Tests run two at a time, each on one OpenMP thread (tests that compare thread counts set their
# own), with passive waiting: oversubscribed, spinning OpenMP barriers would otherwise dominate.
OMP_NUM_THREADS=1 OMP_WAIT_POLICY=passive ctest --output-on-failure --no-tests=error -j"$(nproc)" \
  --timeout 1500
