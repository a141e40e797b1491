#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root), builds libstz and runs the main job, then plots.
#   bash scripts/quickstart.sh            results in results/quickstart/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/build.sh -DSTZ_ENABLE_TESTS=OFF -DSTZ_ENABLE_BENCHMARKS=OFF
out=results/quickstart
./build/apps/stz-inclusion -o "$out" --shape 256,128 --radius 7
/usr/bin/python3 scripts/plot_results.py "$out"
echo "quickstart: results and plots in $out/"
