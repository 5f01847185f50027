#!/usr/bin/env bash
# DPC++'s device-binaries descriptor: a shared library laid out as the SYCL offload wrapper
# lays out libtorch_xpu.so (tests/tools/sycl_wrapped_lib.c, built here by gcc with images from
# ocloc and zstd, then stripped), and a program that registers and creates its SPIR-V images as
# DPC++'s runtime does (tests/tools/mini_sycl_runtime.c). inspect reads the descriptor through
# the dynamic relocations; capture --from-binary records the images with the flags the runtime
# passes; the build for acm-g10 and tgllp is then served natively by `aotpack run` on simulated
# devices, with the program's output unchanged; add-targets takes the library directly.
source "$(dirname "$0")/common.sh"
for tool in gcc strip zstd readelf; do
    command -v "$tool" >/dev/null || skip "$tool is not installed"
done
: "${MINI_SYCL_RUNTIME:?}"

cp "$SRC/tests/data/vector_ops.spv" a.spv
ocloc -spv_only -q -file "$SRC/examples/kernels/reduce.cl" -device pvc -output b -output_no_suffix
zstd -q -19 b.spv -o b.spv.zst
ocloc compile -file a.spv -spirv_input -device pvc,acm-g11 --format zebin -output c.ar -q >/dev/null
gcc -shared -fPIC -O2 -DIMAGE0='"a.spv"' -DIMAGE1='"b.spv.zst"' -DIMAGE2='"c.ar"' \
    "$SRC/tests/tools/sycl_wrapped_lib.c" -o libkernels.so
strip --strip-all -o libstripped.so libkernels.so
# The pointers are dynamic relocations (0 in place), as in a real SYCL library.
[ "$(readelf -rW libstripped.so | grep -c R_X86_64_RELATIVE)" -gt 20 ] || fail "no RELATIVE relocations"

# inspect: three images from the descriptor (none found twice by the section scan), with their
# triple, options, entries and the flags the runtime builds them with.
expect_exit 0 "$AOTPACK" inspect --json libstripped.so
python3 - "$OUT" <<'PY'
import json, sys
images = json.loads(sys.argv[1])["files"][0]["images"]
assert len(images) == 3, images
a, b, c = images
assert all(i["where"].startswith("DPC++ descriptor at 0x") for i in images), images
assert (a["kind"], a["compressed"], a["kernels"]) == ("spirv", False, 2), a
assert a["properties"]["triple"] == "spir64" and a["properties"]["entries"] == "2", a
assert a["properties"]["compile-options"] == "-cl-fast-relaxed-math", a
assert a["properties"]["sycl-build-flags"] == "-cl-fast-relaxed-math -ze-opt-level=2", a
assert a["properties"]["property-sets"] == "SYCL/misc properties, SYCL/specialization constants default values", a
assert (b["kind"], b["compressed"], b["properties"]["format"]) == ("spirv", True, "compressed"), b
assert b["properties"]["sycl-build-flags"] == "-ze-opt-disable" and b["properties"]["entries"] == "1", b
assert c["kind"] == "ocloc-ar" and c["properties"]["triple"] == "spir64_gen", c
assert c["properties"]["compile-options"] == "-device pvc", c
assert sorted(t["name"] for t in c["targets"]) == ["acm-g11", "pvc"], c
PY
# The unstripped library reads the same.
expect_exit 0 "$AOTPACK" inspect libkernels.so
expect_in "DPC++ descriptor at 0x"
expect_in "natively for acm-g11 (12.56.5), pvc (12.60.7)"

# The program's own run (its images JIT-compiled) on each device.
sim_atsm "$MINI_SYCL_RUNTIME" ./libkernels.so >plain_atsm.out
sim_tgl "$MINI_SYCL_RUNTIME" ./libkernels.so >plain_tgl.out
grep -q "image 0 flags '-cl-fast-relaxed-math -ze-opt-level=2': vadd saxpy" plain_atsm.out ||
    fail "the program did not create its modules: $(cat plain_atsm.out)"
grep -q "image 1 flags '-ze-opt-disable': group_sum" plain_atsm.out || fail "$(cat plain_atsm.out)"

# capture --from-binary: the two SPIR-V images, keyed as the runtime creates them.
expect_exit 0 "$AOTPACK" capture --from-binary libstripped.so -o cap
expect_in "'cap' holds 2 module(s) from 2 SPIR-V image(s) (2 with the build flags their runtime uses, 0 translated from LLVM bitcode)"
python3 - cap/aotpack-capture.json <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["modules"]
assert sorted(x["options"] for x in m) == ["-cl-fast-relaxed-math -ze-opt-level=2", "-ze-opt-disable"], m
PY
cmp -s "cap/$(python3 -c 'import json; print([x["source"] for x in json.load(open("cap/aotpack-capture.json"))["modules"] if x["options"] == "-ze-opt-disable"][0])')" b.spv ||
    fail "the compressed image was not captured as its SPIR-V"
expect_exit 0 "$AOTPACK" build -q -d acm-g10,tgllp cap -o app.aotpack

# Replay: every SPIR-V image served natively, the output unchanged.
for device in sim_atsm sim_tgl; do
    plain=plain_atsm.out
    [ "$device" = sim_tgl ] && plain=plain_tgl.out
    "$device" env AOTPACK_LOG=1 "$AOTPACK" run app.aotpack -- "$MINI_SYCL_RUNTIME" ./libkernels.so \
        >replay.out 2>replay.log
    diff "$plain" replay.out >/dev/null || fail "$device: output differs: $(diff "$plain" replay.out)"
    [ "$(grep -c ': native ' replay.log)" = 2 ] || fail "$device: not served natively: $(cat replay.log)"
done
grep -q "native tgllp (12.0.0)" replay.log || fail "tgllp not served its own binary: $(cat replay.log)"

# add-targets takes the library itself: an archive for the new GPU.
expect_exit 0 "$AOTPACK" add-targets libstripped.so -d tgllp -o lib-tgl.aotpack
expect_exit 0 "$AOTPACK" list lib-tgl.aotpack
expect_in "vadd,saxpy"
expect_in "group_sum"
sim_tgl env AOTPACK_LOG=1 "$AOTPACK" run lib-tgl.aotpack -- "$MINI_SYCL_RUNTIME" ./libkernels.so \
    >replay.out 2>replay.log
[ "$(grep -c ': native tgllp' replay.log)" = 2 ] || fail "add-targets archive not served: $(cat replay.log)"

# A fat binary on its own carries its SPIR-V in generic_ir: captured (it said "only native code").
expect_exit 0 "$AOTPACK" capture --from-binary c.ar -o car
# Errors: only native code (exit 9, nothing written); both a program and --from-binary (2).
ocloc compile -file a.spv -spirv_input -device pvc,acm-g11 --format zebin -exclude_ir -output c-noir.ar -q >/dev/null
expect_exit 9 "$AOTPACK" capture --from-binary c-noir.ar -o none
expect_in "no SPIR-V image in 'c-noir.ar' (only native code)"
[ ! -e none ] || fail "a capture directory was made for a file without SPIR-V"
expect_exit 9 "$AOTPACK" add-targets c-noir.ar -d tgllp -o none.aotpack
[ ! -e none.aotpack ] || fail "an archive was written for a file without SPIR-V"
expect_exit 2 "$AOTPACK" capture --from-binary libstripped.so -o cap -- true
expect_exit 3 "$AOTPACK" capture --from-binary missing.so -o cap
echo "PASS: sycl_descriptor"
