#!/usr/bin/env bash
# A short libFuzzer pass over the config parser (fuzz_config.cpp) and the PGM/PNG label reader
# (fuzz_label_image.cpp) with ASan + UBSan, starting from the corpora here. Any crash, sanitizer
# report, leak, timeout or out-of-memory fails the test (the reproducer is left in WORK/).
#   run_fuzz.sh REPO_ROOT WORK "INCLUDE_DIRS;..." "LIB.a;..." "SYSTEM_LIBS"   (from CMake)
#   STZ_FUZZ_SECONDS (default 15 per harness) sets the time of each run.
set -uo pipefail
root=$1
work=$2
IFS=';' read -r -a includes <<< "$3"
IFS=';' read -r -a libs <<< "$4"
read -r -a system_libs <<< "$5"
seconds=${STZ_FUZZ_SECONDS:-15}
cxx=$(command -v clang++ || true)
if [ -z "$cxx" ] || ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, long) { return 0; }' \
     | "$cxx" -x c++ -fsanitize=fuzzer - -o /dev/null 2> /dev/null; then
  echo "skipped: clang++ with libFuzzer not installed (apt-get install clang)"
  exit 0
fi
rm -rf "$work"
mkdir -p "$work"
flags=(-std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -I"$root")
for d in "${includes[@]}"; do [ -n "$d" ] && flags+=(-I"$d"); done
status=0
build() {  # build NAME SOURCES...
  local name=$1
  shift
  nice -n 5 "$cxx" "${flags[@]}" "$@" -Wl,--start-group "${libs[@]}" -Wl,--end-group \
    -lyaml-cpp "${system_libs[@]}" -lfftw3 -lpng -lgomp -o "$work/$name" 2> "$work/$name.build.log" \
    || { echo "FAIL: cannot build $name:" >&2; tail -20 "$work/$name.build.log" >&2; status=1; return 1; }
}
run() {  # run NAME CORPUS MAX_LEN
  local name=$1 corpus=$2
  mkdir -p "$work/$name.corpus"
  cp "$corpus"/* "$work/$name.corpus/"
  (cd "$work" && "./$name" -max_total_time="$seconds" -max_len="$3" -rss_limit_mb=2048 -timeout=10 \
     -print_final_stats=1 "$name.corpus" > "$name.log" 2>&1)
  local rc=$?
  local runs
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log")
  if [ $rc -eq 0 ]; then
    echo "ok: $name, ${runs:-?} inputs in ${seconds} s, corpus $(ls "$work/$name.corpus" | wc -l) files"
  else
    echo "FAIL: $name (rc $rc); reproducer in $work:" >&2
    grep -E 'ERROR|SUMMARY|runtime error' "$work/$name.log" | head -5 >&2
    status=1
  fi
}
build fuzz_label_image "$root/tests/fuzz/fuzz_label_image.cpp" "$root/libstz/structure/label_image.cpp" \
  && run fuzz_label_image "$root/tests/fuzz/corpus_label" 4096
build fuzz_config "$root/tests/fuzz/fuzz_config.cpp" "$root/libstz/io/config.cpp" \
  && run fuzz_config "$root/tests/fuzz/corpus_config" 2048
exit $status
