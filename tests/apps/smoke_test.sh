#!/usr/bin/env bash
# Runs every shipped config at a tiny size through `stz run` (and the sweep configs through
# `stz sweep`), an ensemble, `stz check`, and the plotting script on the results.
#   smoke_test.sh STZ_BINARY REPO_ROOT
set -euo pipefail
stz=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
tiny=(--set loading.max_strain=0.006 --set output.stats_every_strain=0.001
      --set "output.snapshots_at_strain=[0.003]" --quiet)

"$stz" --version | grep -q '^stz ' || fail "--version"
for cfg in "$root"/configs/*.yaml; do
  name=$(basename "$cfg" .yaml)
  "$stz" check "$cfg" > "$tmp/$name.resolved.yaml" || fail "check $name"
  # The resolved config is itself a valid config that resolves to the same text.
  "$stz" check "$tmp/$name.resolved.yaml" > "$tmp/$name.again.yaml" || fail "re-check $name"
  cmp -s "$tmp/$name.resolved.yaml" "$tmp/$name.again.yaml" || fail "resolved config of $name does not round-trip"
  if grep -q '^  shape: \[[0-9]*, [0-9]*, [0-9]*\]' "$tmp/$name.resolved.yaml"; then
    shape="[8, 8, 8]"
  else
    shape="[24, 12]"
  fi
  if grep -q '^  keys: \[\]' "$tmp/$name.resolved.yaml"; then
    "$stz" run "$cfg" -o "$tmp/$name" --set "grid.shape=$shape" "${tiny[@]}" || fail "run $name"
    [ -f "$tmp/$name/run.h5" ] && [ -f "$tmp/$name/run.xdmf" ] && [ -f "$tmp/$name/series.csv" ] \
      || fail "run $name wrote no run.h5/run.xdmf/series.csv"
  else
    "$stz" sweep "$cfg" -o "$tmp/$name" --set "grid.shape=$shape" --set ensemble.seeds=1 \
      "${tiny[@]}" || fail "sweep $name"
    [ -f "$tmp/$name/sweep.csv" ] && [ -f "$tmp/$name/sweep.h5" ] || fail "sweep $name wrote no summary"
  fi
  echo "ok: $name"
done

"$stz" ensemble "$root/configs/quickstart.yaml" --seeds 3 -o "$tmp/ens" --set "grid.shape=[24, 12]" \
  --threads 2 "${tiny[@]}" || fail "ensemble"
[ "$(grep -c '^"","seed_' "$tmp/ens/ensemble.csv")" = 3 ] || fail "ensemble.csv has not 3 member rows"
grep -q '^"",mean,' "$tmp/ens/ensemble.csv" || fail "ensemble.csv has no mean row"
for s in 1 2 3; do [ -f "$tmp/ens/seed_$s/run.h5" ] || fail "ensemble member seed_$s"; done

# Same seed, same result, whatever the thread count (the series CSV is the whole trajectory).
"$stz" run "$root/configs/quickstart.yaml" -o "$tmp/t1" --threads 1 --set "grid.shape=[32, 16]" "${tiny[@]}"
"$stz" run "$root/configs/quickstart.yaml" -o "$tmp/t2" --threads 2 --set "grid.shape=[32, 16]" "${tiny[@]}"
cmp -s "$tmp/t1/series.csv" "$tmp/t2/series.csv" || fail "1 and 2 threads differ"

if /usr/bin/python3 -c 'import matplotlib, h5py' 2>/dev/null; then
  /usr/bin/python3 "$root/scripts/plot_results.py" "$tmp/quickstart" "$tmp/ens" > /dev/null || fail "plot script"
  [ -f "$tmp/quickstart/stress_strain.png" ] && [ -f "$tmp/ens/ensemble_threshold_strain.png" ] \
    || fail "plots missing"
  # The paper figure from ensemble and sweep folders (one composition twice: tiny runs).
  if [ -f "$tmp/mro_size_study/sweep.csv" ]; then
    /usr/bin/python3 "$root/scripts/plot_results.py" --figure "$tmp/figure" --compositions \
      "$tmp/ens" "$tmp/ens" --labels "x = 0" "x = 1" --size "$tmp/mro_size_study" > /dev/null \
      || fail "paper figure"
    [ -f "$tmp/figure.png" ] && [ -f "$tmp/figure.pdf" ] || fail "paper figure files missing"
  fi
  echo "ok: plots"
else
  echo "skipped: plots (python3-matplotlib/python3-h5py not installed)"
fi
echo "1 passed, 0 failed"
