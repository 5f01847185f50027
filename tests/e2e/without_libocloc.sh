#!/usr/bin/env bash
# The project configures on a machine without libocloc: only bench's in-process
# helper wants it, and nothing else in the build graph names it. Without any ocloc, the CLI still
# runs its archive tools, and a build says at run time that there is no compiler (exit 5).
source "$(dirname "$0")/common.sh"

# Configure only (a second full build would cost CI minutes), as on a machine where CMake finds
# neither libocloc nor its header (empty values: the search is skipped and finds nothing).
cmake -S "$SRC" -B cfg -G Ninja -DAOTPACK_DEV_MODE=ON -DOCLOC_LIBRARY= \
    -DOCLOC_API_INCLUDE_DIR= >configure.log 2>&1 ||
    fail "configure without libocloc failed: $(tail -5 configure.log)"
grep -q "libocloc not found: bench_ocloc_inprocess" configure.log || fail "no note about libocloc"
ninja -C cfg -t targets all >targets
for t in tools/aotpack/aotpack src/runtime/libaotpack_rt.so lib/aotpack/libaotpack_preload.so \
    tests/aotpack_unit_tests; do
    grep -q "^$t:" targets || fail "target $t is missing without libocloc"
done
! grep -q "bench_ocloc_inprocess" targets || fail "bench_ocloc_inprocess configured without libocloc"
# (fake_libocloc is a test stand-in built from source, not the vendor library.)
! grep -E "/libocloc[.]so|-locloc" cfg/build.ninja | grep -q . ||
    fail "the build graph links libocloc: $(grep -m1 -E "/libocloc[.]so|-locloc" cfg/build.ninja)"

# At run time without ocloc: archive tools work, a build is exit 5 with the reason.
printf 'kernel void k(global int* a) { a[0] = 1; }\n' >k.cl
nobin=$WORK/empty-bin && mkdir -p "$nobin"
expect_exit 5 env PATH="$nobin" AOTPACK_OCLOC= "$AOTPACK" build -d pvc k.cl -o k.aotpack
expect_in "ocloc not found on PATH"
[ ! -e k.aotpack ] || fail "a build without a compiler wrote an archive"
expect_exit 0 env PATH="$nobin" "$AOTPACK" devices pvc
