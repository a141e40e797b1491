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

# An empty file is a valid config (all defaults): check must accept it.
: > "$tmp/empty.yaml"
if "$stz" check "$tmp/empty.yaml" > /dev/null 2>&1; then passed=$((passed + 1)); else
  failed=$((failed + 1)); echo "FAIL empty config rejected" >&2; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
