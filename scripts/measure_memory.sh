#!/usr/bin/env bash
# Peak RSS (GNU time -v) of short runs for calibrating the memory estimate (libstz/io/resources.cpp,
# docs/performance.md): each run sets up everything, takes a few steps and writes the final
# snapshot. Prints: engine, shape, voxels, measured MB, estimated MB, estimate / measured.
#   [MODES=M] measure_memory.sh STZ_BINARY REPO_ROOT [SHAPE ...]   e.g. "[256, 256]" "[32, 32, 32]"
# MODES sets types.matrix.modes (default 20).
set -euo pipefail
stz=$1
root=$2
shift 2
shapes=("$@")
[ ${#shapes[@]} -gt 0 ] || shapes=("[128, 128]" "[256, 256]" "[512, 512]" "[24, 24, 24]" "[32, 32, 32]" "[48, 48, 48]")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-9s %-14s %5s %9s %9s %9s %6s\n' engine shape modes voxels rss_MB est_MB ratio
for engine in fast reference; do
  for shape in "${shapes[@]}"; do
    args=(--set "grid.shape=$shape" --set kmc.engine=$engine --set loading.max_strain=0.0005
          --set output.stats_every_strain=0.0005 --set "output.snapshots_at_strain=[]"
          --set "types.matrix.modes=${MODES:-20}" --threads 1 --quiet)
    est=$("$stz" check "$root/configs/quickstart.yaml" "${args[@]:0:12}" 2>&1 >/dev/null | sed -n 's/^stz: estimated peak memory of one run: \([0-9.]*\) \([MGT]B\).*/\1 \2/p')
    /usr/bin/time -v "$stz" run "$root/configs/quickstart.yaml" -o "$tmp/run" --overwrite "${args[@]}" \
      2> "$tmp/time.txt" || { cat "$tmp/time.txt" >&2; exit 1; }
    rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time.txt")
    voxels=$(echo "$shape" | tr -d '[] ' | tr ',' '*' | bc)
    read -r v u <<< "$est"
    est_mb=$(case $u in MB) echo "$v";; GB) echo "$v * 1000" | bc;; TB) echo "$v * 1000000" | bc;; esac)
    printf '%-9s %-14s %5d %9d %9.0f %9.0f %6.2f\n' $engine "$shape" "${MODES:-20}" "$voxels" "$(echo "$rss_kb / 1000" | bc -l)" \
      "$est_mb" "$(echo "$est_mb / ($rss_kb / 1000)" | bc -l)"
  done
done
