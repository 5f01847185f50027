#!/usr/bin/env bash
# Capture and replay on the real NEO driver with simulated GPUs: zeapp (tests/tools/zeapp.cpp), a
# Level Zero program that knows nothing of aotpack, creates modules with build flags and
# specialization constants on several threads. Captured on pvc, built for ats-m150,pvc,tgllp,
# replayed on each: every captured module is served natively and the program prints exactly what
# it prints without aotpack; uncaptured modules, a corrupt or missing archive and a driver that
# rejects the binaries change nothing but speed.
source "$(dirname "$0")/common.sh"
command -v ocloc >/dev/null || skip "ocloc is not installed"
: "${ZEAPP:?}" "${ZEAPP_LATE:?}"

for k in vector_ops reduce histogram; do
    ocloc -spv_only -q -file "$SRC/examples/kernels/$k.cl" -device pvc -output "$k" -output_no_suffix
done
spirv-as --target-env opencl1.2 "$SRC/tests/data/spec_constants.spvasm" -o spec.spv
# Program-scope globals: the zebin gains IGC's symbol-table kernel, which the JIT's module lacks.
printf '__constant int table[4] = {1,2,3,4};\n__global int counter = 0;\n__kernel void k(__global int* o) { o[0] = table[get_global_id(0) & 3] + counter; }\n' >globals.cl
ocloc -spv_only -q -file globals.cl -device pvc -options -cl-std=CL2.0 -output globals -output_no_suffix
# Constant 9 is a stored value (NEO's JIT applies it); the modules differ in flags and constants.
MODULES=("spec.spv#9=3" spec.spv "reduce.spv@-cl-fast-relaxed-math" vector_ops.spv globals.spv)
app() { "$ZEAPP" --threads "${MODULES[@]}" "$@"; }

# Capture on pvc; a second run with one more module adds to the directory.
sim_pvc "$AOTPACK" capture -o cap -- "$ZEAPP" --threads "${MODULES[@]}" >/dev/null
expect_exit 0 sim_pvc "$AOTPACK" capture -o cap -- "$ZEAPP" histogram.spv spec.spv
expect_in "'cap' holds 6 module(s) (1 with specialization constants applied)"
python3 - cap/aotpack-capture.json <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["modules"]
assert len(m) == 6, m
assert all(x["devices"] == ["12.60.7"] for x in m), m
assert sorted(x["options"] for x in m) == ["", "", "", "", "", "-cl-fast-relaxed-math"], m
c = [x for x in m if x["constants"]]
assert c == [c[0]] and c[0]["constants"] == [{"id": 9, "value": "03000000"}], c
PY
# The constant is applied offline: the module's SpecId 9 default is now 3.
special=$(python3 -c 'import json; print([x["source"] for x in json.load(open("cap/aotpack-capture.json"))["modules"] if x["constants"]][0])')
spirv-dis "cap/$special" | grep -q "OpSpecConstant %uint 3" || fail "constant 9 not applied in $special"
expect_exit 0 "$AOTPACK" build -q -d ats-m150,pvc,tgllp cap -o app.aotpack
expect_exit 0 "$AOTPACK" list app.aotpack
expect_in "jit-"

# replay DEVICE ARGS...: the plain run and the replayed run print the same; every module is
# served natively (AOTPACK_LOG says so per module).
replay_same() {
    local device=$1; shift
    "$device" "$@" >plain.out 2>/dev/null
    "$device" env AOTPACK_LOG=1 "$AOTPACK" run app.aotpack -- "$@" >replay.out 2>replay.log
    diff plain.out replay.out >/dev/null || fail "$device: replay differs from the plain run:
$(diff plain.out replay.out)"
}
for device in sim_pvc sim_atsm sim_tgl; do
    replay_same "$device" "$ZEAPP" --threads "${MODULES[@]}"
    [ "$(grep -c ': native ' replay.log)" = 5 ] || fail "$device: not all served natively: $(cat replay.log)"
    ! grep -q "JIT" replay.log || fail "$device: a JIT where a native binary exists: $(cat replay.log)"
done
grep -q "native tgllp (12.0.0)" replay.log || fail "tgllp not served its own binary: $(cat replay.log)"
# Kernel properties are real on the simulated tgllp (the others fail zeKernelCreate in both runs).
grep -q "spec_kernel args=1 .* local=64" replay.out || fail "no kernel properties: $(cat replay.out)"
# The symbol-table kernel the zebin adds is not shown (the plain run's module has only k).
grep -q "^  k args=1" replay.out || fail "globals.spv: $(cat replay.out)"
! grep -q Intel_Symbol_Table replay.out || fail "the symbol-table kernel is listed: $(cat replay.out)"

# Threads creating the same modules again and again, a forked child, a late-dlopened loader.
replay_same sim_pvc "$ZEAPP" --threads --repeat 3 "${MODULES[@]}"
[ "$(grep -c ': native ' replay.log)" = 15 ] || fail "repeat: $(cat replay.log)"
replay_same sim_pvc "$ZEAPP" --fork "${MODULES[@]}"
[ "$(grep -c ': native ' replay.log)" = 10 ] || fail "fork: $(cat replay.log)"
replay_same sim_pvc "$ZEAPP_LATE" --threads "${MODULES[@]}"
[ "$(grep -c ': native ' replay.log)" = 5 ] || fail "dlopen: $(cat replay.log)"

# A module the archive does not have (other constants, other flags) passes through.
replay_same sim_pvc "$ZEAPP" "spec.spv#9=4" "vector_ops.spv@-cl-mad-enable" vector_ops.spv
[ "$(grep -c 'not in the archives: JIT' replay.log)" = 2 ] || fail "pass-through: $(cat replay.log)"
grep -q ": native " replay.log || fail "vector_ops.spv not served: $(cat replay.log)"

# The preload library alone, as on a machine without aotpack.
PRELOAD=$AOTPACK_BINARY_DIR/lib/aotpack/libaotpack_preload.so
sim_pvc "$ZEAPP" "${MODULES[@]}" >plain.out
sim_pvc env LD_PRELOAD="$PRELOAD${LD_PRELOAD:+:$LD_PRELOAD}" AOTPACK_ARCHIVE="$WORK/app.aotpack" AOTPACK_LOG=1 \
    "$ZEAPP" "${MODULES[@]}" >replay.out 2>replay.log || [ -n "${AOTPACK_SANITIZED:-}" ]
if [ -z "${AOTPACK_SANITIZED:-}" ]; then # the sanitized library needs its runtime first (aotpack run does that)
    diff plain.out replay.out >/dev/null || fail "LD_PRELOAD: $(diff plain.out replay.out)"
    [ "$(grep -c ': native ' replay.log)" = 5 ] || fail "LD_PRELOAD: $(cat replay.log)"
fi

# A driver that rejects the native binaries (each pvc entry holds an ATS-M zebin): the original
# call runs, the program sees the same modules.
"$SWAP_NATIVES" app.aotpack rejected.aotpack "$SRC/tests/data/vector_ops.12.55.8.bin"
sim_pvc "$ZEAPP" "${MODULES[@]}" >plain.out
sim_pvc env AOTPACK_LOG=1 "$AOTPACK" run rejected.aotpack -- "$ZEAPP" "${MODULES[@]}" >replay.out 2>replay.log
diff plain.out replay.out >/dev/null || fail "rejected: $(diff plain.out replay.out)"
[ "$(grep -c 'the driver rejected the native pvc (12.60.7) binary (0x' replay.log)" = 5 ] ||
    fail "rejected: $(cat replay.log)"

# A corrupt archive (and, to the preload library in a program, a missing one): one warning each,
# the program runs as without aotpack. `aotpack run` itself refuses a missing archive (exit 3,
# fresh_machine_defects.sh): the user named it.
head -c 3000 app.aotpack >corrupt.aotpack
sim_pvc "$ZEAPP" --threads "${MODULES[@]}" >plain.out
sim_pvc "$AOTPACK" run corrupt.aotpack -- "$ZEAPP" --threads "${MODULES[@]}" >replay.out 2>replay.log
diff plain.out replay.out >/dev/null || fail "corrupt: $(diff plain.out replay.out)"
[ "$(grep -c 'aotpack: warning: AOTPACK_ARCHIVE: ' replay.log)" = 1 ] || fail "corrupt: $(cat replay.log)"
if [ -z "${AOTPACK_SANITIZED:-}" ]; then # the sanitized library needs its runtime first
    sim_pvc env LD_PRELOAD="$PRELOAD" AOTPACK_ARCHIVE="$WORK/missing.aotpack" \
        "$ZEAPP" --threads "${MODULES[@]}" >replay.out 2>replay.log
    diff plain.out replay.out >/dev/null || fail "missing: $(diff plain.out replay.out)"
    [ "$(grep -c 'aotpack: warning: AOTPACK_ARCHIVE: ' replay.log)" = 1 ] || fail "missing: $(cat replay.log)"
fi
expect_exit 3 "$AOTPACK" run missing.aotpack app.aotpack -- "$ZEAPP" spec.spv
# Several archives: the first that has the module serves it.
expect_exit 0 sim_pvc env AOTPACK_LOG=1 "$AOTPACK" run corrupt.aotpack app.aotpack -- "$ZEAPP" spec.spv
expect_in "native pvc (12.60.7) from $WORK/app.aotpack"

# Programs that never use Level Zero, exit codes and signals, usage errors.
expect_exit 0 "$AOTPACK" run app.aotpack -- sh -c 'echo no-gpu-here'
[ "$OUT" = "no-gpu-here" ] || fail "a program without Level Zero printed: $OUT"
expect_exit 7 "$AOTPACK" run app.aotpack -- sh -c 'exit 7'
expect_exit 137 "$AOTPACK" run app.aotpack -- sh -c 'kill -9 $$'
expect_exit 127 "$AOTPACK" run app.aotpack -- ./no-such-program
expect_in "aotpack: error: cannot run './no-such-program'"
expect_exit 2 "$AOTPACK" run app.aotpack
expect_in "no program to run"
expect_exit 2 "$AOTPACK" capture -o cap2
expect_exit 0 "$AOTPACK" capture -o cap2 -- true
expect_in "created no SPIR-V module"
[ ! -e cap2/aotpack-capture.json ] || fail "an empty capture wrote a manifest"
expect_exit 3 "$AOTPACK" build -q -d pvc cap2/none -o x.aotpack
echo "PASS: $TEST_NAME"
