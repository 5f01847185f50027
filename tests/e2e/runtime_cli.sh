#!/usr/bin/env bash
# The runtime on the real NEO driver (simulated devices): native on PVC and ATS-M, a compatible
# binary on an A380, JIT on TGL then a JIT-cache hit, native-only refusing on TGL, a corrupted
# cache entry discarded and replaced, and no crash without a driver.
source "$(dirname "$0")/common.sh"

"$AOTPACK" build -q -d ats-m150,pvc "$SRC/examples/kernels" -o k.aotpack

expect_exit 0 sim_pvc "$AOTPACK" load k.aotpack --json
python3 -c 'import json,sys; r=json.loads(sys.argv[1]); assert len(r)==3 and all(x["source"]=="native" and x["device_ip"]=="12.60.7" for x in r), r; assert {"vadd","saxpy"} <= set(sum((x["kernels"] for x in r),[]))' "$OUT"
expect_exit 0 sim_atsm "$AOTPACK" load k.aotpack --module reduce
expect_in "acm-g10 (12.55.8)  reduce  native"
expect_in "group_sum"
expect_exit 0 sim_a380 "$AOTPACK" load k.aotpack --module reduce
expect_in "compatible"
expect_in "binary for acm-g10 (12.55.8) serves acm-g11 (12.56.5)"

expect_exit 0 sim_tgl "$AOTPACK" load k.aotpack --module vector_ops --json
python3 -c 'import json,sys; r=json.loads(sys.argv[1]); assert r[0]["source"]=="jit", r' "$OUT"
jit_ms=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[0]["milliseconds"])' "$OUT")
expect_exit 0 sim_tgl "$AOTPACK" load k.aotpack --module vector_ops --json
python3 -c 'import json,sys; r=json.loads(sys.argv[1]); assert r[0]["source"]=="jit-cache", r' "$OUT"
hit_ms=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[0]["milliseconds"])' "$OUT")
echo "JIT $jit_ms ms, JIT-cache hit $hit_ms ms"

# A long kernel's SPIR-V is stored as byte planes (format 1.1); the driver JIT-compiles it from
# exactly those bytes (zeModuleCreate validates the SPIR-V).
python3 - > long.cl <<'PY'
print("__kernel void long_chain(__global float* a, __global const float* b) {")
print("  size_t i = get_global_id(0);\n  float x = b[i];")
for k in range(400):
    print(f"  x = x * {k % 17}.5f + b[(i + {k}) % 64];")
print("  a[i] = x;\n}")
PY
"$AOTPACK" build -q -d none long.cl -o long.aotpack
"$AOTPACK" list --json long.aotpack > long.json
python3 -c 'import json,sys; s=json.load(open("long.json"))["modules"][0]["spirv"]["stored"]; assert s["compression"]=="zstd-byte-planes" and s["bytes"] < s["raw_bytes"] / 5, s'
expect_exit 0 sim_tgl "$AOTPACK" load long.aotpack --module long --json
python3 -c 'import json,sys; r=json.loads(sys.argv[1]); assert r[0]["source"]=="jit" and r[0]["kernels"]==["long_chain"], r' "$OUT"

# AOTPACK_LOG prints one line per load.
AOTPACK_LOG=1 expect_exit 0 sim_tgl "$AOTPACK" load k.aotpack --module vector_ops
expect_in "aotpack: load vector_ops on tgllp (12.0.0): jit-cache"

# A corrupted JIT-cache entry is discarded and replaced.
for f in $(find cache/jit -name '*.zebin'); do printf 'garbage' | dd of="$f" bs=1 seek=40 conv=notrunc 2>/dev/null; done
expect_exit 0 sim_tgl "$AOTPACK" load k.aotpack --module vector_ops --json
python3 -c 'import json,sys; assert json.loads(sys.argv[1])[0]["source"]=="jit"' "$OUT"
expect_exit 0 sim_tgl "$AOTPACK" load k.aotpack --module vector_ops --json
python3 -c 'import json,sys; assert json.loads(sys.argv[1])[0]["source"]=="jit-cache"' "$OUT"
AOTPACK_CACHE=0 expect_exit 0 sim_tgl "$AOTPACK" load k.aotpack --module vector_ops --json
python3 -c 'import json,sys; assert json.loads(sys.argv[1])[0]["source"]=="jit"' "$OUT"

expect_exit 9 sim_tgl "$AOTPACK" load k.aotpack --policy native-only
expect_in "native-only: no binary serves tgllp (12.0.0); archive has acm-g10 (12.55.8), pvc (12.60.7)"
AOTPACK_POLICY=jit-only expect_exit 0 sim_pvc "$AOTPACK" load k.aotpack --module reduce
expect_in "policy jit-only"
expect_exit 2 sim_pvc "$AOTPACK" load k.aotpack --module reduce --policy x
expect_in "--policy 'x' is not prefer-native, native-only or jit-only"

# warm fills the JIT cache at install time.
rm -rf cache/jit
expect_exit 0 sim_tgl "$AOTPACK" warm k.aotpack
expect_exit 0 sim_tgl "$AOTPACK" load k.aotpack --json
python3 -c 'import json,sys; assert all(x["source"]=="jit-cache" for x in json.loads(sys.argv[1]))' "$OUT"

# Native binaries under 64 KiB are not kept decompressed in the cache (decompressing them is
# cheaper than a lookup); large ones are (tests/e2e/frontends.sh, with a hashcat kernel).
rm -rf cache/jit
expect_exit 0 sim_pvc "$AOTPACK" load k.aotpack
[ "$(find cache/jit -name '*.zebin' | wc -l)" = 0 ] || fail "small natives were cached"

# --compression fast-load stores native binaries uncompressed: a larger archive the runtime loads
# straight from the file (nothing to decompress or cache); merge keeps the choice.
"$AOTPACK" build -q -d ats-m150,pvc "$SRC/examples/kernels" -o fast.aotpack --compression fast-load
[ "$(stat -c %s fast.aotpack)" -gt "$(stat -c %s k.aotpack)" ] || fail "fast-load archive is not larger"
"$AOTPACK" merge fast.aotpack -o fast-merged.aotpack
[ "$(stat -c %s fast-merged.aotpack)" -ge "$(stat -c %s fast.aotpack)" ] || fail "merge recompressed natives"
rm -rf cache/jit
expect_exit 0 sim_pvc "$AOTPACK" load fast-merged.aotpack --json
python3 -c 'import json,sys; assert all(x["source"]=="native" for x in json.loads(sys.argv[1]))' "$OUT"
[ "$(find cache/jit -name '*.zebin' 2>/dev/null | wc -l)" = 0 ] || fail "fast-load natives were cached"

# No GPU, no debug keys: zeInit fails, the error is clean, nothing crashes. Sanitized builds need
# DisableDeepBind even here: without a device NEO probes for WSL's libdxcore with RTLD_DEEPBIND.
nogpu=()
[ -z "${AOTPACK_SANITIZED:-}" ] || nogpu=(env NEOReadDebugKeys=1 DisableDeepBind=1)
expect_exit 7 "${nogpu[@]}" "$AOTPACK" load k.aotpack
expect_in "no Level Zero GPU here (zeInit returned 0x78000001)"


# device-ips: the IP versions of this machine's GPUs, the values a PEP 817 provider plugin
# (intel :: device_ip) returns; the Python module's device_ips() says the same.
expect_exit 0 sim_pvc "$AOTPACK" device-ips
[ "$OUT" = "12.60.7" ] || fail "device-ips on pvc: $OUT"
expect_exit 0 sim_atsm "$AOTPACK" device-ips --json
expect_in '"target": "acm-g10"'
if [ -z "${AOTPACK_SANITIZED:-}" ]; then # a sanitized library cannot load into python
    py=$(sim_tgl env PYTHONPATH="$SRC/python" \
        AOTPACK_RT_LIBRARY="$AOTPACK_BINARY_DIR/src/runtime/libaotpack_rt.so.0" \
        python3 -c 'import aotpack; print(aotpack.device_ips())')
    [ "$py" = "['12.0.0']" ] || fail "aotpack.device_ips() on tgllp: $py"
fi
expect_exit 7 "${nogpu[@]}" "$AOTPACK" device-ips
