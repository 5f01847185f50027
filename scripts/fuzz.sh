#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 20).
#   scripts/fuzz.sh [SECONDS]        CI runs it with the default
#   scripts/fuzz.sh 3600             a long run (docs/RELIABILITY.md records its figures)
# Crashes are written to build-fuzz/crashes/; each one becomes a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
# AOTPACK_FUZZ_CXX_FLAGS: the optimisation and debug flags (CI: "-O1 -g1 -DNDEBUG", faster to build).
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DAOTPACK_BUILD_FUZZERS=ON -DAOTPACK_BUILD_TESTS=OFF -DCMAKE_UNITY_BUILD=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="${AOTPACK_FUZZ_CXX_FLAGS:--O2 -g -DNDEBUG}" >/dev/null
cmake --build build-fuzz --target fuzz_action_result fuzz_archive_reader fuzz_device_list fuzz_devlist \
  fuzz_manifest fuzz_runtime_open fuzz_spirv fuzz_foreign
mkdir -p build-fuzz/crashes
for name in action_result archive_reader device_list devlist manifest runtime_open spirv foreign; do
  corpus=build-fuzz/corpus/$name
  seeds=tests/fuzz/seeds/$name
  [ -d "$seeds" ] || { echo "fuzz: no seed directory $seeds" >&2; exit 1; }
  mkdir -p "$corpus"
  echo "fuzz: $name for ${seconds}s"
  log=build-fuzz/$name.log
  if ! build-fuzz/tests/fuzz/fuzz_$name "$corpus" "$seeds" -max_total_time="$seconds" \
      -artifact_prefix=build-fuzz/crashes/ -print_final_stats=1 -rss_limit_mb=2048 >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "fuzz: $name failed (crash, leak, timeout or a bad invocation); see $log" >&2
    exit 1
  fi
  grep -E "^(Done [0-9]+ runs|stat::number_of_executed_units)" "$log"
done
