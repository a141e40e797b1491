#!/usr/bin/env bash
# Installs the build into a temporary prefix, builds tests/install/consumer against the installed
# CMake package (find_package(libstz), libstz::libstz; compiled without -march=native) and checks
# that its tension run from C++ reproduces `stz run` of the same config bit for bit.
#   install_test.sh CMAKE BUILD_DIR SOURCE_DIR
set -euo pipefail
cmake=$1
build=$2
src=$3
work="$build/install-test"
prefix="$work/prefix"
fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

"$cmake" --install "$build" --prefix "$prefix" > "$work/install.log" || { cat "$work/install.log"; fail "cmake --install"; }
for f in bin/stz include/libstz/core/version.hpp include/libstz/sim/simulation.hpp \
         share/libstz/plot_results.py share/libstz/configs/quickstart.yaml \
         lib/cmake/libstz/libstzConfig.cmake lib/cmake/libstz/libstzTargets.cmake; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
# Private headers of dependencies must not leak into the installed interface.
if grep -rlE '#include [<"](hdf5|yaml-cpp|fftw3|png)' "$prefix/include"; then
  fail "an installed header includes a private dependency"
fi
"$prefix/bin/stz" --version | grep -q '^build: ' || fail "stz --version has no build flags"

# Release without -march=native, whatever the environment says.
env -u CXXFLAGS "$cmake" -S "$src/tests/install/consumer" -B "$work/consumer" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON > "$work/configure.log" 2>&1 || { cat "$work/configure.log"; fail "consumer configure"; }
"$cmake" --build "$work/consumer" > "$work/build.log" 2>&1 || { cat "$work/build.log"; fail "consumer build"; }
if grep -q -- '-march=native' "$work/consumer/compile_commands.json" 2>/dev/null; then
  fail "consumer compiled with -march=native"
fi

cfg="$prefix/share/libstz/configs/quickstart.yaml"
tiny=("grid.shape=[24, 12]" loading.max_strain=0.08 output.stats_every_strain=0.002 "output.snapshots_at_strain=[0.04]")
"$work/consumer/tension_from_cpp" "$cfg" "$work/cpp" "${tiny[@]}" || fail "consumer run"
sets=()
for s in "${tiny[@]}"; do sets+=(--set "$s"); done
OMP_NUM_THREADS=1 "$prefix/bin/stz" run "$cfg" -o "$work/cli" "${sets[@]}" --quiet || fail "installed stz run"
cmp "$work/cpp/series.csv" "$work/cli/series.csv" || fail "the C++ consumer and stz run differ"
echo "ok: installed package, consumer build and run"
