#!/usr/bin/env bash
# A corpus of broken inputs: each must exit non-zero with ONE line on stderr that names the
# offending key (or file), and must not create the output folder.
#   bad_input_test.sh STZ_BINARY REPO_ROOT
set -uo pipefail
stz=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
base="$root/configs/quickstart.yaml"

expect_error() {  # expect_error NAME EXPECTED_TEXT ARGS...
  local name=$1 expected=$2
  shift 2
  local out="$tmp/out_$name"
  timeout 60 "$stz" "$@" -o "$out" --quiet > "$tmp/stdout" 2> "$tmp/stderr"
  local rc=$?
  local lines
  lines=$(wc -l < "$tmp/stderr")
  if [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ "$lines" -eq 1 ] && grep -qF -- "$expected" "$tmp/stderr" \
     && [ ! -e "$out" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: rc=$rc, $lines stderr lines, expected '$expected':" >&2
    cat "$tmp/stderr" >&2
  fi
}

cfg() { printf '%s\n' "$2" > "$tmp/$1.yaml"; echo "$tmp/$1.yaml"; }

expect_error missing_file "no_such.yaml" run "$tmp/no_such.yaml"
expect_error unknown_key "loading.strain_rate" run "$(cfg unknown_key 'loading: {strain_rate: 1.0e-4}')"
expect_error unknown_section "gird" run "$(cfg unknown_section 'gird: {shape: [16, 8]}')"
expect_error wrong_type "loading.max_strain" run "$(cfg wrong_type 'loading: {max_strain: lots}')"
expect_error list_for_number "material.youngs_GPa" run "$(cfg list_for_number 'material: {youngs_GPa: [1, 2]}')"
expect_error negative_rate "loading.strain_rate_per_s" run "$(cfg negative_rate 'loading: {strain_rate_per_s: -1}')"
expect_error poisson "material.poisson" run "$(cfg poisson 'material: {poisson: 0.5}')"
expect_error nan "material.temperature_K" run "$(cfg nan 'material: {temperature_K: .nan}')"
expect_error grid_rank "grid.shape" run "$(cfg grid_rank 'grid: {shape: [16]}')"
expect_error grid_negative "grid.shape" run "$(cfg grid_negative 'grid: {shape: [-4, 8]}')"
expect_error bad_mode "loading.mode" run "$(cfg bad_mode 'loading: {mode: torsion}')"
expect_error bad_field "output.fields" run "$(cfg bad_field 'output: {fields: [velocity]}')"
expect_error composition_type "mro.composition" run "$(cfg composition_type 'mro: {fraction: 0.2, composition: {mro_z: 1.0}}')"
expect_error mro_too_big "mro.diameter_nm.mean" run "$(cfg mro_too_big 'grid: {shape: [16, 8]}
types: {mro_a: {modes: 12, order: 1.67, orientation: per_domain}}
mro: {fraction: 0.2, composition: {mro_a: 1.0}, diameter_nm: {mean: 40, sd: 0.3}}')"
expect_error bad_orientation "types.mro_a.orientation" run "$(cfg bad_orientation 'types: {mro_a: {orientation: sideways}}')"
expect_error bad_mixing "mro.mixing" run "$base" --set mro.mixing=per_pixel
expect_error bad_measure "cfv.measure" run "$base" --set cfv.measure=percent
expect_error percolation "cfv.percolation" run "$base" --set cfv.percolation=touches
expect_error cluster_too_big "stz.cluster.edge_voxels" run "$base" --set stz.cluster.shape=cube --set stz.cluster.edge_voxels=30
expect_error cluster_shape "stz.cluster.shape" run "$base" --set stz.cluster.shape=ball
expect_error barrier_disorder "stz.cluster.barrier_disorder" run "$base" --set stz.cluster.barrier_disorder=gaussian
expect_error min_percolation "cfv.min_percolation_nm3" run "$base" --set cfv.min_percolation_nm3=-5
expect_error reverse_modes "types.mro_a.reverse_modes" run "$(cfg reverse_modes 'types: {mro_a: {reverse_modes: sometimes}}')"
expect_error softening_scale "types.mro_a.softening_scale" run "$(cfg softening_scale 'types: {mro_a: {softening_scale: -0.5}}')"
expect_error yaml_syntax "yaml_syntax.yaml:1" run "$(cfg yaml_syntax 'grid: {shape: [16, 8}')"
expect_error top_list "top level" run "$(cfg top_list '- 1
- 2')"
expect_error binary_garbage "top level" run "$(printf '\x00\x01\x02\xff\xfe' > "$tmp/garbage.yaml"; echo "$tmp/garbage.yaml")"
expect_error bad_set "--set" run "$base" --set "no_equals_sign"
expect_error set_unknown "loading.nope" run "$base" --set loading.nope=1
expect_error set_type "grid.shape" run "$base" --set "grid.shape=hello"
expect_error seeds "ensemble.seeds" ensemble "$base" --seeds 0 --set "grid.shape=[16, 8]"
expect_error sweep_without_key "sweep" sweep "$base"
expect_error threads "--threads" run "$base" --threads -3

expect_error threads_zero "--threads" run "$base" --threads 0
expect_error seed_negative "--seed" run "$base" --seed -1
expect_error seed_too_big "--seed" run "$base" --seed 18446744073709551616
expect_error seed_text "--seed" run "$base" --seed 12abc
expect_error seeds_negative "--seeds" ensemble "$base" --seeds -1
expect_error cli_unknown_option "stz: error:" run "$base" --no-such-option
expect_error resume_and_overwrite "stz: error:" ensemble "$base" --resume --overwrite
# Explicit snapshots beyond a short run name max_strain's value; default ones adapt (below).
expect_error snapshot_beyond "loading.max_strain = 0.03" run "$base" --set loading.max_strain=0.03 \
  --set "output.snapshots_at_strain=[0.05]"
expect_error max_memory "run.max_memory_GB" run "$base" --set run.max_memory_GB=-1
expect_error memory_guard "estimated peak memory" run "$base" --set "grid.shape=[1024, 1024, 1024]"
expect_error memory_limit "run.max_memory_GB" run "$base" --set run.max_memory_GB=0.001

# Bad input exits with one status (1) whatever the layer that catches it (CLI11's own codes not).
for args in "run $base --threads 0" "run $base --bogus" "run $base --set loading.nope=1"; do
  # shellcheck disable=SC2086
  "$stz" $args -o "$tmp/rc_out" > /dev/null 2>&1
  rc=$?
  if [ $rc -eq 1 ]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL exit status $rc (want 1) for: $args" >&2; fi
done

# Default snapshots adapt to a short run.
if "$stz" check "$base" --set loading.max_strain=0.03 > "$tmp/short.yaml" 2> "$tmp/stderr" \
   && grep -q '^  snapshots_at_strain: \[0.03\]' "$tmp/short.yaml"; then passed=$((passed + 1)); else
  failed=$((failed + 1)); echo "FAIL default snapshots did not adapt to max_strain 0.03" >&2
  cat "$tmp/stderr" >&2; fi

# Imported maps (written with python3: PGM text, a minimal RGB PNG, HDF5 when h5py is there).
map_cfg() {  # map_cfg NAME MAP_FILE PIXEL_NM [DATASET]
  cfg "$1" "grid: {shape: [16, 8]}
types: {mro_a: {modes: 12, order: 1.67, orientation: per_domain}}
mro: {fraction: 0, map: {file: $2, dataset: ${4:-/labels}, labels: {0: matrix, 1: mro_a}, pixel_nm: $3}}"
}
pgm() {  # pgm FILE WIDTH HEIGHT: alternating stripes of labels 0/1
  { echo "P2 $2 $3 255"; for ((r = 0; r < $3; r++)); do
      for ((c = 0; c < $2; c++)); do printf '%d ' $(((c / 4) % 2)); done; echo; done; } > "$1"
}
pgm "$tmp/transposed.pgm" 8 16
expect_error map_transposed "grid transposed" run "$(map_cfg map_transposed "$tmp/transposed.pgm" 0)"
pgm "$tmp/ok.pgm" 16 8
expect_error map_tiny_pixels "covers at least one voxel" run "$(map_cfg map_tiny "$tmp/ok.pgm" 0.001)"
/usr/bin/python3 - "$tmp/rgb.png" <<'PY'
import struct, sys, zlib
w, h = 16, 8
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
raw = b"".join(b"\x00" + b"\x80\x10\x10" * w for _ in range(h))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                              + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
expect_error map_colour_png "8-bit grayscale or palette" run "$(map_cfg map_rgb "$tmp/rgb.png" 0)"
# Check reports the imported map: size, pixel size, fractions, domains; warns when it tiles.
if "$stz" check "$(map_cfg map_report "$tmp/ok.pgm" 0.25)" > "$tmp/report.txt" 2>&1 \
   && grep -q '^stz: imported map .*16 x 8 pixels, pixel 0.25 nm' "$tmp/report.txt" \
   && grep -q '^stz: voxel fraction per type: matrix 50.0 %, mro_a 50.0 %; [0-9]* MRO domains' "$tmp/report.txt" \
   && grep -q '^stz: warning: mro.map.pixel_nm = 0.25: .* tiles the box' "$tmp/report.txt"; then
  passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL imported map report:" >&2
  cat "$tmp/report.txt" >&2; fi
if /usr/bin/python3 -c 'import h5py, numpy' 2>/dev/null; then
  /usr/bin/python3 - "$tmp" <<'PY'
import sys, h5py, numpy as np
d = sys.argv[1]
labels = (np.arange(16)[:, None] // 4 % 2) * np.ones((1, 8), dtype=np.int32)
with h5py.File(d + "/float.h5", "w") as f: f["labels"] = labels.astype(np.float64) + 0.4
with h5py.File(d + "/transposed.h5", "w") as f: f["labels"] = labels.T.copy()
PY
  expect_error map_float "holds floating-point values" run "$(map_cfg map_float "$tmp/float.h5" 0)"
  expect_error map_h5_transposed "grid transposed" run "$(map_cfg map_h5t "$tmp/transposed.h5" 0)"
else
  echo "skipped: HDF5 map cases (python3-h5py not installed)"
fi

# A read-only output folder says why (root ignores permissions: skipped then).
mkdir -p "$tmp/readonly" && chmod 555 "$tmp/readonly"
if [ "$(id -u)" -ne 0 ]; then
  "$stz" run "$base" -o "$tmp/readonly/out" --quiet > /dev/null 2> "$tmp/stderr"
  if [ $? -ne 0 ] && [ "$(wc -l < "$tmp/stderr")" -eq 1 ] && grep -q "Permission denied" "$tmp/stderr"; then
    passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL read-only folder:" >&2
    cat "$tmp/stderr" >&2; fi
else
  echo "skipped: read-only folder case (running as root)"
fi

# An empty file is a valid config (all defaults): check must accept it.
: > "$tmp/empty.yaml"
if "$stz" check "$tmp/empty.yaml" > /dev/null 2>&1; then passed=$((passed + 1)); else
  failed=$((failed + 1)); echo "FAIL empty config rejected" >&2; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
