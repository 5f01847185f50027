#!/usr/bin/env bash
# Line coverage of the build stage and its toolchain (src/compile, src/toolchain) by the unit tests
# alone (no ocloc needed):
#   bash scripts/coverage.sh [BUILD_DIR]     (default build-coverage; gcc --coverage, -O0)
# Prints each file's share of lines run and the total; docs/ARCHITECTURE.md quotes the result.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-coverage}
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="--coverage -O0" \
    -DCMAKE_C_FLAGS=--coverage -DCMAKE_EXE_LINKER_FLAGS=--coverage \
    -DCMAKE_SHARED_LINKER_FLAGS=--coverage >/dev/null
cmake --build "$dir" --target aotpack_unit_tests >/dev/null
find "$dir" -name '*.gcda' -delete
AOTPACK_OCLOC=/nonexistent "$dir/tests/aotpack_unit_tests" >/dev/null
# Both stages' object directories: the build stage and the toolchain it runs (src/toolchain).
for lib in compile toolchain; do
    (cd "$dir/src/$lib/CMakeFiles/aotpack_$lib.dir" && gcov -n ./*.gcda 2>/dev/null) |
        grep -A1 "^File '.*/src/$lib/" | grep -v '^--' | paste - -
done |
    sed -E "s|File '.*/(src/[a-z]+/[^']*)'|\1|; s|Lines executed:||" |
    awk '{split($2, p, "%"); n = $4 + 0; if (n == 0) next; run = p[1] * n / 100
          all += run; lines += n; if ($1 !~ /worker/) { run2 += run; lines2 += n }
          printf "%-32s %7s of %4d lines\n", $1, $2, n }
         END { printf "total: %.1f%% of %d lines; without the libocloc workers (ocloc_worker, worker_pool: e2e only): %.1f%% of %d\n",
               100 * all / lines, lines, 100 * run2 / lines2, lines2 }' | sort
