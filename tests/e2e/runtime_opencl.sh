#!/usr/bin/env bash
# libaotpack_rt for OpenCL (aotpack/runtime_opencl.h) on the real NEO OpenCL driver with simulated
# GPUs: `aotpack load --api opencl` and a C application (tests/tools/cl_load.c) get native programs
# on acm-g10, pvc and tgllp; natives from a compiler newer than the driver are JIT-compiled from
# the SPIR-V and kept in the JIT cache; native-only then fails clearly; libaotpack_rt itself does
# not depend on libOpenCL.
source "$(dirname "$0")/common.sh"
command -v ocloc >/dev/null || skip "ocloc is not installed"
[ -e /usr/lib/x86_64-linux-gnu/libOpenCL.so.1 ] || skip "no OpenCL loader (ocl-icd-libopencl1)"
: "${CL_LOAD:?}"
export AOTPACK_CACHE_DIR=$PWD/cache

rt=$(find "$AOTPACK_BINARY_DIR/src/runtime" -name 'libaotpack_rt.so.*.*.*' | head -1)
! readelf -d "$rt" | grep -q libOpenCL || fail "libaotpack_rt links libOpenCL"

expect_exit 0 "$AOTPACK" build -q -d acm-g10,pvc,tgllp --toolchain host "$SRC/examples/kernels" -o host.aotpack
for sim in sim_atsm sim_pvc sim_tgl; do
    expect_exit 0 "$sim" "$AOTPACK" load --api opencl host.aotpack --json
    python3 - "$OUT" "$sim" <<'PY'
import json, sys
text = sys.argv[1][sys.argv[1].index("["):]
loads = json.loads(text)
assert len(loads) == 3 and all(l["source"] == "native" for l in loads), loads
assert sorted(k for l in loads for k in l["kernels"]) == ["group_sum", "histogram", "saxpy", "vadd"], loads
PY
    expect_exit 0 "$sim" "$CL_LOAD" host.aotpack histogram histogram
    expect_in "source 0 entry_ip"
    expect_in "set_arg 0"
done

# The same C application with the Level Zero-only commands: no OpenCL needed (and none loaded).
expect_exit 0 sim_pvc "$AOTPACK" load host.aotpack --module histogram
expect_in "native"

# Natives from a newer compiler than the driver: JIT, then the JIT cache; native-only refuses.
newer=$("$AOTPACK" toolchain list --json | python3 -c '
import json, sys
t = [x for x in json.load(sys.stdin)["toolchains"]
     if x["id"] != "host" and not x["legacy"] and x["ocloc_version"] > "23"]
print(t[0]["id"] if t else "")')
if [ -n "$newer" ]; then
    expect_exit 0 "$AOTPACK" build -q -d acm-g10 --toolchain "$newer" "$SRC/examples/kernels" -o newer.aotpack
    expect_exit 0 sim_atsm "$AOTPACK" load --api opencl newer.aotpack --module histogram
    expect_in "newer than the driver (22.43"
    expect_in " jit "
    expect_exit 0 sim_atsm "$CL_LOAD" newer.aotpack histogram histogram
    expect_in "source 2 entry_ip 0 set_arg 0" # the JIT cache: the driver's own binary
    expect_exit 7 sim_atsm "$AOTPACK" load --api opencl --policy native-only newer.aotpack --module histogram
    expect_in "native-only: the binary for acm-g10"
fi

expect_exit 2 "$AOTPACK" load --api vulkan host.aotpack
expect_in "--api 'vulkan' is not level-zero or opencl"
echo "PASS: $TEST_NAME"
