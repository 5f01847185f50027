#!/usr/bin/env bash
# Capture and replay for unmodified OpenCL applications from Debian on the real NEO OpenCL driver
# with simulated GPUs (acm-g10, pvc, tgllp): pyopencl (a program from OpenCL C including a header
# through -I, one from SPIR-V), clpeak and OpenCV's T-API. Captured on each device, built for all
# three with the host's compiler (the driver's own release), replayed: every captured program is
# served natively and each application prints and exits as without aotpack. Changed options, a
# damaged archive and natives from a compiler newer than the driver leave the builds to the driver.
source "$(dirname "$0")/common.sh"
command -v ocloc >/dev/null || skip "ocloc is not installed"
/usr/bin/python3 -c 'import pyopencl, cv2' 2>/dev/null || skip "python3-pyopencl or python3-opencv is missing"
command -v clpeak >/dev/null || skip "clpeak is not installed"
DATA=$SRC/tests/data/opencl
# The applications' own program caches would hide their builds on a second run.
export PYOPENCL_NO_CACHE=1 OPENCV_OPENCL_CACHE_ENABLE=0
# Python leaks at exit by design: a sanitized preload library must not turn that into a failure.
[ -n "${AOTPACK_SANITIZED:-}" ] && export ASAN_OPTIONS="${ASAN_OPTIONS:-} detect_leaks=0"

mkdir inc && cp "$DATA/scale.h" inc/
ocloc -spv_only -q -file "$SRC/examples/kernels/histogram.cl" -device pvc -output hist -output_no_suffix
printf '#!/bin/sh\nexec /usr/bin/python3 "%s" "%s" "%s" "$@"\n' "$DATA/pyopencl_app.py" "$PWD/inc" "$PWD/hist.spv" >pyapp
chmod +x pyapp
SIMS=(sim_atsm sim_pvc sim_tgl)

# run NAME SIM COMMAND...: stdout to NAME.out, stderr to NAME.err, exit status to NAME.rc.
run() {
    local name=$1; shift
    set +e
    "$@" >"$name.out" 2>"$name.err"
    echo $? >"$name.rc"
    set -e
}
same_as() { # same_as BASELINE RUN: what the application printed and its exit status
    cmp -s "$1.out" "$2.out" && cmp -s "$1.rc" "$2.rc" ||
        fail "$2 differs from $1: $(diff "$1.out" "$2.out"; cat "$1.rc" "$2.rc" "$2.err")"
}
served() { grep -c "(OpenCL): native " "$1.err" || true; }

# Baselines without aotpack, and captures on every device.
for sim in "${SIMS[@]}"; do
    run "base-$sim" "$sim" ./pyapp
    [ "$(cat "base-$sim.rc")" = 0 ] || fail "pyopencl_app fails without aotpack: $(cat "base-$sim.err")"
    grep -q "source argument set" "base-$sim.out" || fail "no kernel argument set: $(cat "base-$sim.out")"
    run "cap-$sim" "$sim" env AOTPACK_LOG=1 "$AOTPACK" capture -o cap -- ./pyapp
    same_as "base-$sim" "cap-$sim"
done
python3 - cap/aotpack-capture.json <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["modules"]
assert len(m) == 2, m
src = [x for x in m if x["source"].endswith(".cl")]
assert len(src) == 1 and sorted(src[0]["devices"]) == ["12.0.0", "12.55.8", "12.60.7"], m
# The header the driver found through -I is captured, and the build's -I points at it.
assert "-DOFFSET=1" in src[0]["options"] and ".include" in src[0]["options"], src
il = [x for x in m if x["source"].endswith(".spv")]
assert il and il[0]["options"].startswith("-cl-fast-relaxed-math"), m
PY
[ "$(cat cap/modules/*.include/scale.h)" = "#define SCALE 3" ] || fail "scale.h not captured"
rm -r inc/ # the build needs only the capture directory
expect_exit 0 "$AOTPACK" build -q -d acm-g10,pvc,tgllp --toolchain host cap -o app.aotpack
mkdir inc && cp "$DATA/scale.h" inc/

# Replay: both programs served natively on each device; the application sees no difference.
for sim in "${SIMS[@]}"; do
    run "replay-$sim" "$sim" env AOTPACK_LOG=1 "$AOTPACK" run app.aotpack -- ./pyapp
    same_as "base-$sim" "replay-$sim"
    [ "$(served "replay-$sim")" = 2 ] || fail "replay on $sim: $(cat "replay-$sim.err")"
done

# Options changed since the capture: the driver builds that program; the other is still served.
run base-opt sim_pvc ./pyapp -DOFFSET=2
run replay-opt sim_pvc env AOTPACK_LOG=1 "$AOTPACK" run app.aotpack -- ./pyapp -DOFFSET=2
same_as base-opt replay-opt
grep -q "(OpenCL): not in the archives: JIT" replay-opt.err || fail "$(cat replay-opt.err)"
[ "$(served replay-opt)" = 1 ] || fail "$(cat replay-opt.err)"

# A damaged archive (every payload's bytes): the application runs as without aotpack.
cp app.aotpack damaged.aotpack
corrupt_payloads damaged.aotpack
run damaged sim_pvc env AOTPACK_LOG=1 "$AOTPACK" run damaged.aotpack -- ./pyapp
same_as base-sim_pvc damaged
[ "$(served damaged)" = 0 ] || fail "served from a damaged archive: $(cat damaged.err)"

# The layer with nothing to do hands the loader its own dispatch back: same output. (A sanitized
# library cannot be dlopen'ed into an uninstrumented python.)
if [ -z "${AOTPACK_SANITIZED:-}" ]; then
    run idle sim_pvc env OPENCL_LAYERS="$AOTPACK_BINARY_DIR/lib/aotpack/libaotpack_preload.so" ./pyapp
    same_as base-sim_pvc idle
fi

# clpeak builds its kernels from source at start (its measurements cannot run on a simulated
# GPU: --kernel-latency skips them and exits 0).
run clpeak-base sim_pvc clpeak --kernel-latency
run clpeak-cap sim_pvc "$AOTPACK" capture -o cap-clpeak -- clpeak --kernel-latency
same_as clpeak-base clpeak-cap
expect_exit 0 "$AOTPACK" build -q -d pvc --toolchain host cap-clpeak -o clpeak.aotpack
run clpeak-replay sim_pvc env AOTPACK_LOG=1 "$AOTPACK" run clpeak.aotpack -- clpeak --kernel-latency
same_as clpeak-base clpeak-replay
[ "$(served clpeak-replay)" -ge 1 ] || fail "clpeak: $(cat clpeak-replay.err)"
grep -q "not in the archives" clpeak-replay.err && fail "clpeak: $(cat clpeak-replay.err)"

# OpenCV loads libOpenCL with dlopen: the loader's layer reaches it where LD_PRELOAD would not.
run cv-base sim_atsm /usr/bin/python3 "$DATA/opencv_app.py"
run cv-cap sim_atsm "$AOTPACK" capture -o cap-cv -- /usr/bin/python3 "$DATA/opencv_app.py"
same_as cv-base cv-cap
captured=$(python3 -c 'import json; print(len(json.load(open("cap-cv/aotpack-capture.json"))["modules"]))')
[ "$captured" -ge 3 ] || fail "OpenCV: only $captured programs captured"
expect_exit 0 "$AOTPACK" build -q -d acm-g10 --toolchain host cap-cv -o cv.aotpack
run cv-replay sim_atsm env AOTPACK_LOG=1 "$AOTPACK" run cv.aotpack -- /usr/bin/python3 "$DATA/opencv_app.py"
same_as cv-base cv-replay
[ "$(served cv-replay)" = "$captured" ] || fail "OpenCV: $(served cv-replay) of $captured served: $(cat cv-replay.err)"

# Natives from a compiler newer than the driver (22.43 takes 26.x's zebin, then crashes in
# clSetKernelArg) are not served: the driver builds the program.
newer=$("$AOTPACK" toolchain list --json | python3 -c '
import json, sys
t = [x for x in json.load(sys.stdin)["toolchains"]
     if x["id"] != "host" and not x["legacy"] and x["ocloc_version"] > "23"]
print(t[0]["id"] if t else "")')
if [ -n "$newer" ]; then
    expect_exit 0 "$AOTPACK" build -q -d pvc --toolchain "$newer" cap -o newer.aotpack
    run newer sim_pvc env AOTPACK_LOG=1 "$AOTPACK" run newer.aotpack -- ./pyapp
    same_as base-sim_pvc newer
    grep -q "newer than the driver (22.43" newer.err || fail "$(cat newer.err)"
fi
# The fleet's shared JIT results (a real nginx, write token): node A runs the application with
# no archive, builds through the driver and uploads each program's binary; node B gets both
# programs from the fleet, the driver builds nothing, and the output is unchanged.
source "$SRC/tests/e2e/lib/cache_server.sh"
token=cl-fleet-$RANDOM
start_nginx clf "" "$token"
puts() { grep -c "PUT /cache/jit/" "$WORK/nginx-clf/access.log" || true; }
run fleet-a sim_pvc env AOTPACK_RUNTIME_REMOTE="$URL_clf" AOTPACK_RUNTIME_REMOTE_UPLOAD=1 \
    AOTPACK_REMOTE_CACHE_TOKEN="$token" AOTPACK_LOG=1 "$AOTPACK" run -- ./pyapp
same_as base-sim_pvc fleet-a
[ "$(puts)" = 2 ] || fail "2 programs shared expected, $(puts): $(cat fleet-a.err)"
run fleet-b sim_pvc env AOTPACK_RUNTIME_REMOTE="$URL_clf" AOTPACK_REMOTE_CACHE_TOKEN="$token" \
    AOTPACK_LOG=1 "$AOTPACK" run -- ./pyapp
same_as base-sim_pvc fleet-b
[ "$(grep -c "(OpenCL): the fleet's JIT result" fleet-b.err)" = 2 ] || fail "not from the fleet: $(cat fleet-b.err)"
! grep -q "$token" fleet-a.err fleet-b.err || fail "the token was printed"
echo "PASS: $TEST_NAME"
