#!/usr/bin/env bash
# Interrupted and repeated runs: SIGINT/SIGTERM write a partial run.h5 (complete = 0) and exit
# 130/143; kill -9 leaves no complete-looking file and the next run removes its temporaries;
# ensembles refuse a used folder, --resume keeps complete members, --overwrite removes stale
# seed folders; a failing member is recorded while the others finish; one-seed SD is NaN;
# sweeps over a map-valued key name folders and CSV rows alike; run.log and provenance.
#   signal_test.sh STZ_BINARY REPO_ROOT
set -uo pipefail
stz=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
base="$root/configs/quickstart.yaml"
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL $*" >&2; }
py=/usr/bin/python3
have_h5py=0
$py -c 'import h5py' 2>/dev/null && have_h5py=1
attr() {  # attr FILE ATTRIBUTE  -> prints the root attribute
  $py -c 'import sys, h5py; v = h5py.File(sys.argv[1])["/"].attrs[sys.argv[2]]; print(v.decode() if isinstance(v, bytes) else v)' "$1" "$2"
}
# Long enough to be interrupted (~10 s with the fast engine), small enough to start at once.
long=(--set "grid.shape=[256, 128]" --set loading.max_strain=0.1 --set output.stats_every_strain=0.0005)
tiny=(--set "grid.shape=[16, 8]" --set loading.max_strain=0.004 --set output.stats_every_strain=0.001 --quiet)

wait_for_progress() {  # until run.log shows a progress line (the run loop is going)
  for _ in $(seq 1 200); do
    grep -q ' strain ' "$1/run.log" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

for sig in INT TERM; do
  out="$tmp/sig_$sig"
  "$stz" run "$base" -o "$out" --threads 1 "${long[@]}" > /dev/null 2> "$tmp/stderr_$sig" &
  pid=$!
  wait_for_progress "$out"
  sleep 0.3
  kill -"$sig" $pid
  wait $pid
  rc=$?
  want=$([ "$sig" = INT ] && echo 130 || echo 143)
  if [ $rc -eq "$want" ] && [ -f "$out/run.h5" ] && grep -q 'partial results written' "$tmp/stderr_$sig" \
     && grep -q 'stopped by signal' "$out/run.log" && ! ls "$out"/*.tmp-* > /dev/null 2>&1; then ok
  else bad "SIG$sig: rc=$rc (want $want)"; cat "$tmp/stderr_$sig" >&2; fi
  if [ $have_h5py -eq 1 ]; then
    [ "$(attr "$out/run.h5" complete)" = 0 ] && ok || bad "SIG$sig: run.h5 complete != 0"
  fi
done

# kill -9: no run.h5 appears; the temporary is removed by the next run in the folder.
out="$tmp/killed"
"$stz" run "$base" -o "$out" --threads 1 "${long[@]}" > /dev/null 2>&1 &
pid=$!
wait_for_progress "$out"
kill -KILL $pid
wait $pid 2> /dev/null
if [ ! -e "$out/run.h5" ] && ls "$out"/run.h5.tmp-* > /dev/null 2>&1; then ok
else bad "kill -9 left run.h5 or no temporary"; fi
"$stz" run "$base" -o "$out" "${tiny[@]}" 2> "$tmp/stderr"
if [ -f "$out/run.h5" ] && ! ls "$out"/*.tmp-* > /dev/null 2>&1; then ok
else bad "stale temporaries not removed"; cat "$tmp/stderr" >&2; fi
if [ $have_h5py -eq 1 ]; then
  [ "$(attr "$out/run.h5" complete)" = 1 ] && ok || bad "finished run.h5 complete != 1"
  for a in date host command_line threads build_type build_flags source_dirty fftw_version \
           hdf5_version eigen_version; do
    v=$(attr "$out/run.h5" "$a" 2> /dev/null) && [ -n "$v" ] || { bad "run.h5 lacks provenance $a"; continue; }
  done
  ok
fi
grep -q '^command: .*stz run' "$out/run.log" && grep -q '^threads: ' "$out/run.log" \
  && grep -q 'results in' "$out/run.log" && ok || bad "run.log lacks command/threads/final line"

# A rerun into a used folder refuses (one line naming --overwrite); --overwrite replaces it.
"$stz" run "$base" -o "$out" "${tiny[@]}" 2> "$tmp/stderr"
rc=$?
[ $rc -eq 1 ] && [ "$(wc -l < "$tmp/stderr")" -eq 1 ] && grep -q -- '--overwrite' "$tmp/stderr" && ok \
  || { bad "rerun into a used folder: rc=$rc"; cat "$tmp/stderr" >&2; }
touch "$out/fields_old.png"
"$stz" run "$base" -o "$out" "${tiny[@]}" --overwrite && [ ! -e "$out/fields_old.png" ] && ok \
  || bad "--overwrite kept a stale plot"

# Ensembles: one seed gives SD = NaN; refuse a used folder; --resume; --overwrite removes extras.
ens="$tmp/ens"
"$stz" ensemble "$base" -o "$ens" --seeds 1 "${tiny[@]}" 2> "$tmp/stderr" \
  && grep -q '^"",sd,,,nan,' "$ens/ensemble.csv" && ok || { bad "one-seed SD is not nan"; cat "$ens/ensemble.csv" >&2; }
"$stz" ensemble "$base" -o "$ens" --seeds 2 "${tiny[@]}" 2> "$tmp/stderr"
[ $? -eq 1 ] && grep -q -- '--resume' "$tmp/stderr" && ok || bad "ensemble rerun did not refuse"
"$stz" ensemble "$base" -o "$ens" --seeds 3 --resume --set "grid.shape=[16, 8]" \
  --set loading.max_strain=0.004 --set output.stats_every_strain=0.001 2> "$tmp/stderr"
[ "$(grep -c 'kept (complete)' "$tmp/stderr")" -eq 1 ] && [ "$(grep -c '^"","seed_' "$ens/ensemble.csv")" -eq 3 ] \
  && ok || { bad "--resume did not keep exactly the complete member"; cat "$tmp/stderr" >&2; }
"$stz" ensemble "$base" -o "$ens" --seeds 2 --overwrite "${tiny[@]}" && [ ! -e "$ens/seed_3" ] \
  && [ -f "$ens/seed_2/run.h5" ] && ok || bad "--overwrite kept seed_3 beyond --seeds 2"
if [ $have_h5py -eq 1 ]; then
  [ -n "$(attr "$ens/ensemble.h5" config)" ] && [ -n "$(attr "$ens/ensemble.h5" version)" ] && ok \
    || bad "ensemble.h5 lacks config/version"
fi

# An interrupted ensemble: exit 130, members recorded failed, --resume finishes them.
ei="$tmp/ens_int"
"$stz" ensemble "$base" -o "$ei" --seeds 2 --threads 1 "${long[@]}" > /dev/null 2> "$tmp/stderr" &
pid=$!
wait_for_progress "$ei/seed_1"
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] && grep -q 'failed,.*stopped by signal 2' "$ei/ensemble.csv" && ok \
  || { bad "interrupted ensemble: rc=$rc"; cat "$tmp/stderr" >&2; }
"$stz" ensemble "$base" -o "$ei" --seeds 2 --threads 1 --resume --quiet \
  --set "grid.shape=[64, 32]" --set loading.max_strain=0.01 --set output.stats_every_strain=0.0005
[ $? -eq 0 ] && [ "$(grep -c '^"","seed_[12]",[0-9]*,ok,' "$ei/ensemble.csv")" -eq 2 ] && ok \
  || bad "--resume after an interrupted ensemble"

# A member that fails is recorded with its error; the others finish; the exit status is 1.
sw="$tmp/sweep_fail"
{ echo "P2 16 8 255"; for ((r = 0; r < 8; r++)); do
    for ((c = 0; c < 16; c++)); do printf '%d ' $(((c / 4) % 2)); done; echo; done; } > "$tmp/ok.pgm"
cat > "$tmp/sweep_fail.yaml" <<YAML
types: {mro_a: {modes: 12, order: 1.67, orientation: per_domain}}
mro: {fraction: 0, map: {file: ok.pgm, labels: {0: matrix, 1: mro_a}}}
sweep: {key: mro.map.file, values: [ok.pgm, missing.pgm]}
ensemble: {seeds: 1}
YAML
"$stz" sweep "$tmp/sweep_fail.yaml" -o "$sw" "${tiny[@]}" 2> "$tmp/stderr"
rc=$?
[ $rc -eq 1 ] && grep -q ',failed,.*no such file' "$sw/sweep.csv" && grep -q ',ok,' "$sw/sweep.csv" \
  && ok || { bad "failing sweep member: rc=$rc"; cat "$sw/sweep.csv" "$tmp/stderr" >&2; }

if [ $have_h5py -eq 1 ]; then  # the imported map's SHA-256 is in the provenance
  h5=$(ls "$sw"/*ok.pgm*/seed_1/run.h5 2> /dev/null | head -1)
  [ -n "$h5" ] && [ "$(attr "$h5" mro_map_sha256)" = "$(sha256sum "$tmp/ok.pgm" | cut -d' ' -f1)" ] \
    && ok || bad "run.h5 lacks the imported map's SHA-256 ($h5)"
fi

# A sweep over a map-valued key: every CSV member row names an existing folder.
sm="$tmp/sweep_map"
cat > "$tmp/sweep_map.yaml" <<YAML
types: {mro_a: {modes: 12, order: 1.67, orientation: per_domain}, mro_b: {modes: 8, order: 2.5, orientation: per_domain}}
mro: {fraction: 0.2, diameter_nm: {mean: 1.0, sd: 0.2}}
sweep: {key: mro.composition, values: [{mro_a: 1.0}, {mro_a: 0.5, mro_b: 0.5}]}
ensemble: {seeds: 1}
YAML
if "$stz" sweep "$tmp/sweep_map.yaml" -o "$sm" "${tiny[@]}" 2> "$tmp/stderr"; then
  read -r n missing < <($py - "$sm" <<'PY'
import csv, os, sys
d = sys.argv[1]
lines = [l for l in open(os.path.join(d, "sweep.csv")) if not l.startswith("#")]
rows = [r for r in csv.DictReader(lines) if r["member"] not in ("mean", "sd", "se", "n")]
print(len(rows), sum(not os.path.isfile(os.path.join(d, r["member"], "run.h5"))
                     or not r["member"].startswith(r["group"] + "/") for r in rows))
PY
)
  [ $n -eq 2 ] && [ $missing -eq 0 ] && ok || bad "sweep rows and folders differ ($n rows, $missing missing)"
else
  bad "map-valued sweep failed"; cat "$tmp/stderr" >&2
fi

# Short runs that end before yield say so.
"$stz" run "$base" -o "$tmp/short" --set "grid.shape=[16, 8]" --set loading.max_strain=0.004 \
  --set output.stats_every_strain=0.001 2> "$tmp/stderr"
grep -q 'peak_is_final = true' "$tmp/stderr" && ok || { bad "no peak_is_final in the summary"; cat "$tmp/stderr" >&2; }

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
