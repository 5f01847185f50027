#!/usr/bin/env bash
# The runtime's no-GPU and broken-driver paths: no driver for the loader to find, a driver that
# rejects every native binary, and a GPU the device database does not know. Errors, never crashes;
# whatever can still run (the SPIR-V JIT) runs.
source "$(dirname "$0")/common.sh"

"$AOTPACK" build -q -d pvc "$SRC/examples/kernels" -o k.aotpack

# No driver: the loader finds none (ZE_ENABLE_ALT_DRIVERS names a library that does not exist).
expect_exit 7 env ZE_ENABLE_ALT_DRIVERS="$WORK/no-such-driver.so" "$AOTPACK" load k.aotpack
expect_in "aotpack: error: no Level Zero GPU here (zeInit returned 0x"

# A driver that rejects every native binary: each pvc entry holds an ATS-M zebin. Every module
# falls back to its SPIR-V with the reason recorded, then comes from the JIT cache.
"$SWAP_NATIVES" k.aotpack rejected.aotpack "$SRC/tests/data/vector_ops.12.55.8.bin"
expect_exit 0 sim_pvc "$AOTPACK" load rejected.aotpack --json
python3 - "$OUT" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
assert len(r) == 3, r
for x in r:
    assert x["source"] == "jit", x
    assert x["reason"].startswith("driver rejected the binary for pvc (12.60.7) (0x"), x
PY
expect_exit 0 sim_pvc "$AOTPACK" load rejected.aotpack --json
python3 -c 'import json,sys; assert all(x["source"]=="jit-cache" for x in json.loads(sys.argv[1]))' "$OUT"
expect_exit 7 sim_pvc "$AOTPACK" load rejected.aotpack --module reduce --policy native-only
expect_in "aotpack: error: module 'reduce': native-only: driver rejected the binary for pvc (12.60.7)"

# A GPU newer than the database (an Arc PCI id that does not exist): no native binary can be
# chosen, the JIT runs and is cached per PCI id; native-only names the device.
sim_new() { sim ProductFamilyOverride=dg2 ForceDeviceId=0x56FF "$@"; }
expect_exit 0 sim_new "$AOTPACK" load k.aotpack --module vector_ops --json
python3 - "$OUT" <<'PY'
import json, sys
r = json.loads(sys.argv[1])[0]
assert r["source"] == "jit" and r["device_ip"] == "unknown", r
assert r["reason"].startswith("device 0x56ff is not in aotpack's device database"), r
PY
expect_exit 0 sim_new "$AOTPACK" load k.aotpack --module vector_ops --json
python3 -c 'import json,sys; assert json.loads(sys.argv[1])[0]["source"]=="jit-cache"' "$OUT"
expect_exit 9 sim_new "$AOTPACK" load k.aotpack --module vector_ops --policy native-only
expect_in "device 0x56ff is not in aotpack's device database; native-only: no binary serves this device; archive has pvc (12.60.7)"
expect_exit 0 "$AOTPACK" cache verify --cache-dir cache/jit
expect_in "bad entries removed: 0"
