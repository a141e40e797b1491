#!/usr/bin/env bash
# Checkpoint/restart end to end (SPEC 4.8, 4.11): kill -9 a run at a random moment after its
# first checkpoint, `stz resume` it, and the final run.h5 equals that of an uninterrupted run
# bit for bit (series, fields, summary except wall_s) — 2D and 3D, both engines. Also SIGINT +
# resume, and the refusals (run into a folder with a checkpoint; resume without one).
#   resume_test.sh STZ_BINARY REPO_ROOT
set -uo pipefail
stz=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
base="$root/configs/quickstart.yaml"
py=/usr/bin/python3
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL $*" >&2; }
if ! $py -c 'import h5py' 2> /dev/null; then echo "h5py missing (scripts/install_deps.sh)"; exit 1; fi

same_results() {  # same_results A.h5 B.h5: every dataset and attribute equal (wall/provenance aside)
  $py - "$1" "$2" <<'PY'
import sys, h5py, numpy as np
# The config differs in run.output_dir (and checkpoint_every_s), the provenance in its nature.
skip = {"wall_s", "date", "host", "command_line", "threads", "config"}
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
bad = []
def attrs(x, y, where):
    for k in set(x.attrs) | set(y.attrs):
        if k in skip: continue
        if k not in x.attrs or k not in y.attrs: bad.append(f"{where}@{k} missing"); continue
        u, v = x.attrs[k], y.attrs[k]
        if not np.array_equal(np.asarray(u), np.asarray(v), equal_nan=np.asarray(u).dtype.kind == "f"):
            bad.append(f"{where}@{k}: {u!r} != {v!r}")
def visit(name):
    x, y = a[name], b.get(name)
    if y is None: bad.append(f"{name} missing"); return
    attrs(x, y, name)
    if isinstance(x, h5py.Dataset):
        u, v = x[()], y[()]
        if u.shape != v.shape or u.tobytes() != v.tobytes(): bad.append(f"{name} differs")
for g in ("/series", "/fields", "/summary"):
    a[g].visit(lambda n, g=g: visit(g + "/" + n))
    attrs(a[g], b[g], g)
if set(a["/fields"]) != set(b["/fields"]): bad.append("snapshot groups differ")
attrs(a["/"], b["/"], "/")
print("\n".join(bad[:10]))
sys.exit(1 if bad else 0)
PY
}

wait_for_checkpoint() {  # until DIR/checkpoint.h5 exists
  for _ in $(seq 1 400); do
    [ -f "$1/checkpoint.h5" ] && return 0
    sleep 0.025
  done
  return 1
}

check_case() {  # check_case NAME ARGS...: kill -9 after the first checkpoint, resume, compare
  local name=$1
  shift
  local args=("$@" --threads 1 --quiet --set output.checkpoint_every_s=0.05)
  "$stz" run "$base" -o "$tmp/$name.whole" "${args[@]}" 2> "$tmp/$name.err" \
    || { bad "$name: uninterrupted run failed"; cat "$tmp/$name.err" >&2; return; }
  "$stz" run "$base" -o "$tmp/$name.cut" "${args[@]}" 2> /dev/null &
  local pid=$!
  wait_for_checkpoint "$tmp/$name.cut" || { bad "$name: no checkpoint appeared"; kill -9 $pid; return; }
  sleep "0.$((RANDOM % 2))$((RANDOM % 10))"  # a random moment after it
  kill -KILL $pid 2> /dev/null
  wait $pid 2> /dev/null
  [ -f "$tmp/$name.cut/run.h5" ] && { echo "note: $name finished before the kill; resume is a no-op" >&2; }
  if [ "$name" = fast_2d ]; then  # a rerun into the folder: this config suggests resume, another refuses
    "$stz" run "$base" -o "$tmp/$name.cut" "${args[@]}" 2> "$tmp/err"
    [ $? -eq 1 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q 'stz resume' "$tmp/err" && ok \
      || { bad "run into a folder with this config's checkpoint"; cat "$tmp/err" >&2; }
    "$stz" run "$base" -o "$tmp/$name.cut" --set "grid.shape=[16, 8]" 2> "$tmp/err"
    [ $? -eq 1 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q 'different config' "$tmp/err" && ok \
      || { bad "run into a folder with another config's checkpoint"; cat "$tmp/err" >&2; }
  fi
  "$stz" resume "$tmp/$name.cut" --threads 1 --quiet 2> "$tmp/$name.err" \
    || { bad "$name: resume failed"; cat "$tmp/$name.err" >&2; return; }
  if same_results "$tmp/$name.whole/run.h5" "$tmp/$name.cut/run.h5" > "$tmp/$name.diff"; then ok
  else bad "$name: resumed run.h5 differs"; cat "$tmp/$name.diff" >&2; fi
  ! ls "$tmp/$name.cut"/*.tmp-* > /dev/null 2>&1 && ok || bad "$name: temporaries left"
}

two_d=(--set "grid.shape=[96, 48]" --set loading.max_strain=0.08 --set output.stats_every_strain=0.0005
       --set "output.snapshots_at_strain=[0.02, 0.05]")
three_d=(--set "grid.shape=[12, 12, 12]" --set loading.max_strain=0.06 --set output.stats_every_strain=0.0005
         --set "output.snapshots_at_strain=[0.02, 0.04]" --set "output.fields=[von_mises_plastic, free_volume, stress_GPa]")
check_case fast_2d "${two_d[@]}" --set kmc.engine=fast
check_case reference_2d "${two_d[@]}" --set "grid.shape=[48, 24]" --set kmc.engine=reference
check_case fast_3d "${three_d[@]}" --set kmc.engine=fast
check_case reference_3d "${three_d[@]}" --set "grid.shape=[10, 10, 10]" --set kmc.engine=reference

# SIGINT: exit 130, a checkpoint and the resume hint; resume completes the same run.
out="$tmp/int"
"$stz" run "$base" -o "$out" "${two_d[@]}" --threads 1 --quiet 2> "$tmp/int.err" &
pid=$!
for _ in $(seq 1 200); do grep -q ' strain ' "$out/run.log" 2> /dev/null && break; sleep 0.02; done
kill -INT $pid
wait $pid
rc=$?
if [ $rc -eq 130 ] && grep -q "stz resume $out" "$tmp/int.err" && [ -f "$out/checkpoint.h5" ]; then ok
else bad "SIGINT: rc=$rc"; cat "$tmp/int.err" >&2; fi
"$stz" resume "$out" --threads 1 --quiet && same_results "$tmp/fast_2d.whole/run.h5" "$out/run.h5" > "$tmp/int.diff" \
  && ok || { bad "SIGINT + resume differs from the uninterrupted run"; cat "$tmp/int.diff" >&2; }
grep -q '^# resumed from checkpoint' "$out/run.log" && ok || bad "run.log does not record the resume"
"$stz" resume "$out" 2> "$tmp/err" && grep -q 'already complete' "$tmp/err" && ok || bad "resume of a complete run"

# Resume of a folder without a checkpoint: one line.
"$stz" resume "$tmp/nothing_here" 2> "$tmp/err"
[ $? -eq 1 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q 'no checkpoint.h5' "$tmp/err" && ok \
  || { bad "resume without a checkpoint"; cat "$tmp/err" >&2; }

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
