#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root), builds libstz, runs the default 2D tension test
# and plots it.
#   bash scripts/quickstart.sh            results in results/tension_2d/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/build.sh -DSTZ_ENABLE_TESTS=OFF -DSTZ_ENABLE_BENCHMARKS=OFF
out=results/tension_2d
./build/apps/stz run configs/tension_2d.yaml -o "$out"
/usr/bin/python3 scripts/plot_results.py "$out"
echo "quickstart: results and plots in $out/"
