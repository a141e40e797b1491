#!/usr/bin/env bash
# `mpirun -np 2 stz ensemble|sweep` against the single-process run: same summaries (all but the
# wall_s column) and the same trajectory of every member, a member that fails on one rank is
# reported while the others finish, and `stz run` refuses several ranks.
#   mpi_test.sh MPIEXEC STZ_BINARY REPO_ROOT
set -euo pipefail
mpiexec=$1
stz=$2
root=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mpi=("$mpiexec" --allow-run-as-root --oversubscribe -np 2)
cfg="$root/configs/quickstart.yaml"
# ~1400 events per member: enough that members differ and take unequal time.
tiny=(--set "grid.shape=[24, 12]" --set loading.max_strain=0.08 --set output.stats_every_strain=0.002
      --set "output.snapshots_at_strain=[0.04]" --quiet)
# The summary without the wall-clock column (found by its header name) and with the output
# folder (named in error messages) taken out.
without_wall() {
  awk -F, -v OFS=, '/^group,/ { for (i = 1; i <= NF; ++i) if ($i == "wall_s") w = i }
                    { if (w) { for (i = w; i < NF; ++i) $i = $(i + 1); NF-- } print }' "$1" |
    sed "s|$(dirname "$1")|DIR|g"
}
same_summary() {
  cmp <(without_wall "$1") <(without_wall "$2")
}

"$stz" ensemble "$cfg" --seeds 3 -o "$tmp/serial" --threads 2 "${tiny[@]}" || fail "serial ensemble"
"${mpi[@]}" "$stz" ensemble "$cfg" --seeds 3 -o "$tmp/mpi" --threads 1 "${tiny[@]}" \
  || fail "mpirun ensemble"
same_summary "$tmp/serial/ensemble.csv" "$tmp/mpi/ensemble.csv" || fail "ensemble.csv differs under MPI"
for s in 1 2 3; do
  cmp "$tmp/serial/seed_$s/series.csv" "$tmp/mpi/seed_$s/series.csv" || fail "seed_$s differs under MPI"
done
grep -q ',ok,' "$tmp/mpi/ensemble.csv" || fail "no finished member"
echo "ok: ensemble, 2 ranks = 1 process"

# --resume under MPI: complete members are kept (their run.h5 untouched), a missing one reruns.
kept=$(md5sum < "$tmp/mpi/seed_1/run.h5")
rm "$tmp/mpi/seed_2/run.h5"
"${mpi[@]}" "$stz" ensemble "$cfg" --seeds 3 -o "$tmp/mpi" --threads 1 --resume "${tiny[@]}" \
  || fail "mpirun ensemble --resume"
[ "$(md5sum < "$tmp/mpi/seed_1/run.h5")" = "$kept" ] || fail "--resume under MPI reran a complete member"
[ -f "$tmp/mpi/seed_2/run.h5" ] || fail "--resume under MPI did not rerun the missing member"
cmp "$tmp/serial/seed_2/series.csv" "$tmp/mpi/seed_2/series.csv" || fail "resumed seed_2 differs"
echo "ok: --resume under MPI"

# A sweep (2 points × 2 seeds) where one member cannot write its folder: reported, others finish.
sweep=(--set sweep.key=material.temperature_K --set "sweep.values=[250, 300]" --set ensemble.seeds=2)
for d in serial_sweep mpi_sweep; do
  mkdir -p "$tmp/$d/material.temperature_K=300"
  touch "$tmp/$d/material.temperature_K=300/seed_2"  # a file where the member's folder goes
done
status=0
"$stz" sweep "$cfg" -o "$tmp/serial_sweep" --threads 2 "${tiny[@]}" "${sweep[@]}" || status=$?
[ "$status" = 1 ] || fail "serial sweep with a failing member: exit $status, expected 1"
status=0
"${mpi[@]}" "$stz" sweep "$cfg" -o "$tmp/mpi_sweep" --threads 1 "${tiny[@]}" "${sweep[@]}" \
  > "$tmp/mpi_sweep.log" 2>&1 || status=$?
[ "$status" != 0 ] || fail "mpirun sweep with a failing member exited 0"
[ "$(grep -c ',failed,' "$tmp/mpi_sweep/sweep.csv")" = 1 ] || fail "sweep.csv has not 1 failed row"
[ "$(grep -c ',ok,' "$tmp/mpi_sweep/sweep.csv")" = 3 ] || fail "sweep.csv has not 3 finished rows"
same_summary "$tmp/serial_sweep/sweep.csv" "$tmp/mpi_sweep/sweep.csv" || fail "sweep.csv differs under MPI"
echo "ok: sweep with a failing member, 2 ranks = 1 process"

status=0
"${mpi[@]}" "$stz" run "$cfg" -o "$tmp/run" "${tiny[@]}" > "$tmp/run.log" 2>&1 || status=$?
[ "$status" != 0 ] && grep -q "only 'stz ensemble' and 'stz sweep'" "$tmp/run.log" \
  || fail "stz run under mpirun -np 2 was not refused"
[ ! -e "$tmp/run" ] || fail "refused stz run wrote output"
echo "ok: stz run refuses 2 ranks"
