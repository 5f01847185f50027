#!/usr/bin/env bash
# `aotpack ocloc` against the real ocloc, call for call: the exact command forms of DPC++,
# Triton XPU and plain ocloc users, 1 to 4 devices, on the examples and a hashcat kernel. Files
# byte-identical, same exit code, same stdout; errors give ocloc's exit code and first line; a
# repeated call is all cache hits; the shim on PATH never calls itself.
source "$(dirname "$0")/common.sh"

REAL=$(command -v ocloc) || skip "ocloc is not installed"
SHIM=$("$AOTPACK" ocloc --shim-dir)
[ "$(readlink "$SHIM/ocloc")" = "$(readlink -f "$AOTPACK")" ] || fail "shim does not link to aotpack"
[ "$("$AOTPACK" ocloc --shim-dir)" = "$SHIM" ] || fail "--shim-dir is not stable"
export PATH="$SHIM:$PATH"
[ "$(command -v ocloc)" = "$SHIM/ocloc" ] || fail "the shim is not first on PATH"

# SPIR-V inputs: an example kernel, a kernel the tgllp backend rejects, a hashcat kernel.
"$REAL" -spv_only -q -file "$SRC/examples/kernels/vector_ops.cl" -device pvc -output vec -output_no_suffix
printf '__attribute__((intel_reqd_sub_group_size(64)))\n__kernel void f(__global int* x){x[get_global_id(0)]=1;}\n' >sg64.cl
"$REAL" -spv_only -q -file sg64.cl -device pvc -output sg64 -output_no_suffix
head -c 16 /dev/zero >bad.spv
cp "$SRC/examples/kernels/vector_ops.cl" vec.cl
printf '__kernel void broken(__global int* x) { x[0] = ; }\n' >broken.cl
HASHCAT=/usr/share/hashcat/OpenCL
if [ -f "$HASHCAT/m02000_a0-pure.cl" ]; then
    opts=$(head -1 "$SRC/bench/hashcat-options.txt" | sed "s|@HASHCAT@|$HASHCAT|g")
    "$REAL" -spv_only -q -file "$HASHCAT/m02000_a0-pure.cl" -device pvc -options "$opts" \
        -output m02000 -output_no_suffix
fi

# same CMD...: runs CMD with the real ocloc in real/ and through the shim in shim/ (both from a
# fresh directory holding the inputs), compares exit code, stdout and every file written.
calls=0
same() {
    rm -rf real shim && mkdir real shim
    cp ./*.spv ./*.cl real/ && cp ./*.spv ./*.cl shim/
    set +e
    (cd real && "$REAL" "$@" >../real.out 2>&1; echo "exit $?" >>../real.out)
    (cd shim && AOTPACK_LOG=1 ocloc "$@" >../shim.out 2>../shim.log; echo "exit $?" >>../shim.out)
    set -e
    diff real.out shim.out >/dev/null || fail "stdout/exit differ for: $*
real:
$(cat real.out)
shim:
$(cat shim.out)"
    diff -r real shim >/dev/null || fail "files differ for: $*: $(diff -r real shim | head -5)"
    calls=$((calls + 1))
}
# The first line of output and the exit code only (errors print temp paths that differ).
same_error() {
    rm -rf real shim && mkdir real shim
    cp ./*.spv ./*.cl real/ && cp ./*.spv ./*.cl shim/
    set +e
    (cd real && "$REAL" "$@" >../real.out 2>&1; echo "exit $?" >../real.rc)
    (cd shim && AOTPACK_LOG=1 ocloc "$@" >../shim.out 2>../shim.log; echo "exit $?" >../shim.rc)
    set -e
    diff real.rc shim.rc >/dev/null || fail "exit differs for: $*: $(cat real.rc) vs $(cat shim.rc)"
    grep -v '^$' real.out | head -1 >real.first
    grep -v '^$' shim.out | head -1 >shim.first
    diff real.first shim.first >/dev/null || fail "first line differs for $*: $(cat real.first) vs $(cat shim.first)"
    diff -r real shim >/dev/null || fail "files differ after an error for: $*"
}
log_has() { grep -qF -- "$1" shim.log || fail "AOTPACK_LOG: expected '$1' in: $(cat shim.log)"; }

# DPC++: clang-linker-wrapper (runAOTCompileIntelGPU) and the older SYCL.cpp backend compiler,
# with torch-xpu-ops' -Xs options (BuildFlags.cmake).
torch_opts=(-options -cl-poison-unsupported-fp64-kernels -options -cl-intel-enable-auto-large-GRF-mode
    -options -cl-intel-greater-than-4GB-buffer-required)
same -output_no_suffix -spirv_input -device acm-g10,pvc,tgllp,dg1 "${torch_opts[@]}" -output img.out -file vec.spv
log_has "4 target(s), 0 cache hit(s), 4 compiled"
same -output_no_suffix -spirv_input -device acm-g10,pvc,tgllp,dg1 "${torch_opts[@]}" -output img.out -file vec.spv
log_has "4 target(s), 4 cache hit(s), 0 compiled"
same -output sycl.out -file vec.spv -output_no_suffix -spirv_input -device pvc,acm-g10
same -output_no_suffix -spirv_input -device pvc -output one.out -file vec.spv
# Triton XPU (third_party/intel/backend/compiler.py): `-o` is newer than ocloc 22.43, which
# rejects it; the shim passes it through and fails the same way.
same_error compile -file vec.spv -o vec.spv.o -spirv_input -device pvc -options "-cl-intel-256-GRF-per-thread"
log_has "passed to the real ocloc (option '-o')"
# Plain ocloc: suffixed names, -out_dir, IP versions, duplicates, -exclude_ir, -q, --format.
same compile -file vec.spv -spirv_input -device pvc
same compile -file vec.spv -spirv_input -device 12.55.8 -out_dir out/sub -output named
same compile -file vec.spv -spirv_input -device tgllp,12.60.7 --format zebin -q
same compile -spirv_input -file vec.spv -device pvc,pvc,acm-g10 -exclude_ir
same compile -file vec.spv -spirv_input -device dg1,tgllp,acm-g11 -options -cl-fast-relaxed-math
# Families, releases, ranges and `*`: the targets ocloc's own fat build takes (one config per
# device acronym, not every stepping `ocloc ids` lists), compiled in parallel and cached. The
# first call with such a list goes to ocloc itself (learning the list is a fat build of every
# target: never make that call slower than ocloc) while a detached process learns it; later
# calls are built by aotpack.
wait_learner() { while pgrep -f -- "ocloc --learn-facts" >/dev/null; do sleep 0.1; done; }
learned() { same "$@"; wait_learner; same "$@"; }
same compile -file vec.spv -spirv_input -device xe-hpc -q
log_has "passed to the real ocloc (first call with device list 'xe-hpc'"
wait_learner
same compile -file vec.spv -spirv_input -device xe-hpc -q
log_has "2 target(s), 0 cache hit(s), 2 compiled"
same compile -file vec.spv -spirv_input -device xe-hpc -q
log_has "2 target(s), 2 cache hit(s), 0 compiled"
learned compile -file vec.spv -spirv_input -device gen12lp -output fam.ar
learned compile -file vec.spv -spirv_input -device xe-hpc,dg1 -q
learned compile -file vec.spv -spirv_input -device dg1:acm-g11 -q
learned compile -file vec.spv -spirv_input -device pvc: -q
log_has "1 target(s)"
learned compile -file vec.spv -spirv_input -device xe-hpg:xe-hpc -exclude_ir -q
learned compile -file vec.spv -spirv_input -device '*' -q
log_has "23 target(s)"
learned compile -file vec.cl -device xe-hpg -q
log_has "target(s)"
# AOTPACK_CACHE=0 builds nothing from a cache but still remembers what ocloc's lists mean.
AOTPACK_CACHE=0 same compile -file vec.spv -spirv_input -device xe-hpc -q
log_has "2 target(s), 0 cache hit(s), 2 compiled"
# What ocloc rejects goes through and fails as ocloc fails: a range of IPs, a release 22.43
# names but cannot build, a range with an unknown end.
same_error compile -file vec.spv -spirv_input -device 12.55.0:12.55.8
same_error compile -file vec.spv -spirv_input -device xe-hp
same_error compile -file vec.spv -spirv_input -device pvc:nosuch
# Forms it does not model go through: other commands, and ocloc's own oddities such as
# -out_dir with a fat binary (22.43 writes nothing and exits 0).
same compile -file vec.spv -spirv_input -device pvc,acm-g10 -out_dir dd
log_has "passed to the real ocloc"
same ids acm-g10
# OpenCL C: each device's frontend output is the cache key of its backend compile; one target
# writes ocloc's two files (the binary and the frontend's SPIR-V beside it).
same compile -file vec.cl -device acm-g10,tgllp,pvc
log_has "3 target(s), 0 cache hit(s), 3 compiled"
same compile -file vec.cl -device acm-g10,tgllp,pvc
log_has "3 target(s), 3 cache hit(s), 0 compiled"
same compile -file vec.cl -device pvc,dg1 -options "-DSCALE=2 -cl-fast-relaxed-math" -q
same compile -file vec.cl -device dg1 -options -DSCALE=4
log_has "1 target(s), 0 cache hit(s), 1 compiled"
same compile -file vec.cl -device dg1 -options -DSCALE=4
log_has "1 target(s), 1 cache hit(s), 0 compiled"
# The frontend's SPIR-V is the key: vec.cl for pvc is vec.spv, compiled for pvc above.
same compile -file vec.cl -device pvc
log_has "1 target(s), 1 cache hit(s), 0 compiled"
same compile -file vec.cl -device acm-g10 -output one -output_no_suffix -q
same compile -file vec.cl -device tgllp -output named -out_dir out/cl -exclude_ir
same compile -file vec.cl -device 12.60.7 -options -DSCALE=3
same_error compile -file broken.cl -device pvc
same_error compile -file broken.cl -device pvc,tgllp
if [ -f m02000.spv ]; then
    cp "$HASHCAT/m02000_a0-pure.cl" m02000.cl
    same compile -file m02000.cl -device tgllp,acm-g10 -options "$opts" -q
    same compile -file m02000.spv -spirv_input -device acm-g10,pvc -q
    same -output_no_suffix -spirv_input -device tgllp -output h.out -file m02000.spv
fi

# Errors: ocloc's exit code and first line, no output files.
same_error compile -file bad.spv -spirv_input -device tgllp,pvc
same_error compile -file bad.spv -spirv_input -device pvc
same_error compile -file vec.spv -spirv_input -device pvc,nosuch
same_error compile -file vec.spv -spirv_input -device nosuch
same_error compile -file sg64.spv -spirv_input -device tgllp
same_error compile -file sg64.spv -spirv_input -device pvc,tgllp
same_error compile -file missing.spv -spirv_input -device pvc,tgllp

# Never recursive: AOTPACK_OCLOC naming the shim still reaches the real ocloc.
AOTPACK_OCLOC="$SHIM/ocloc" same compile -file vec.spv -spirv_input -device acm-g11,pvc -q
# `aotpack ocloc` and an `ocloc` link are the same thing.
expect_exit 0 "$AOTPACK" ocloc compile -file vec.spv -spirv_input -device pvc,tgllp -q
[ -f vec.ar ] || fail "aotpack ocloc wrote no vec.ar"
# The cache off: still correct.
AOTPACK_CACHE=0 same compile -file vec.spv -spirv_input -device acm-g10,tgllp

expect_exit 0 "$AOTPACK" cache stats
expect_in "ocloc drop-in:"
hits=$(sed -n 's/.*; targets: \([0-9]*\) cache hit.*/\1/p' <<<"$OUT")
[ "${hits:-0}" -ge 4 ] || fail "cache stats counts no drop-in hits: $OUT"
echo "PASS: $TEST_NAME ($calls identical calls)"
