#!/usr/bin/env bash
# Defects a new user tripped over in delivery, trust and the CLI (issue "What a new user trips
# over ..."), one block per item, numbered as in the issue. Each block failed before its fix.
source "$(dirname "$0")/common.sh"

"$AOTPACK" build -q -d ats-m150,pvc "$SRC/examples/kernels" -o app.aotpack
"$AOTPACK" slim app.aotpack --natives-url "file://$WORK/natives" -o app.slim.aotpack

# 1. A signed archive splits and merges back into its own bytes (merge said "not the one they were
# split from"), with and without --sign on split and merge; the merged file still verifies.
"$AOTPACK" keygen -o k1.key >/dev/null
"$AOTPACK" sign app.aotpack --key k1.key -o bs.aotpack
for split_sign in "" "--sign k1.key"; do
    for merge_sign in "" "--sign k1.key"; do
        rm -rf P m.aotpack
        expect_exit 0 "$AOTPACK" split bs.aotpack -o P $split_sign
        expect_exit 0 "$AOTPACK" merge P/*.aotpack -o m.aotpack $merge_sign
        cmp -s bs.aotpack m.aotpack || fail "split ${split_sign:-unsigned} / merge ${merge_sign:-unsigned}: not the signed original's bytes"
    done
done
expect_exit 0 "$AOTPACK" verify m.aotpack --trusted k1.key.pub
# Signed by another key on merge: the original's signature stays, the new one is added.
"$AOTPACK" keygen -o k2.key >/dev/null
expect_exit 0 "$AOTPACK" merge P/*.aotpack -o m2.aotpack --sign k2.key
expect_exit 0 "$AOTPACK" verify m2.aotpack --trusted k1.key.pub
expect_exit 0 "$AOTPACK" verify m2.aotpack --trusted k2.key.pub

# 11. merge with pieces missing names them by target and file (it said "piece(s) 1,3 of 5");
# --partial merges a chosen subset on purpose.
rm -rf P && "$AOTPACK" split app.aotpack -o P >/dev/null
expect_exit 8 "$AOTPACK" merge P/app.pvc.aotpack -o m11.aotpack
expect_in "2 of 3 pieces missing: P/app.acm-g10.aotpack (acm-g10), P/app.spirv.aotpack (spirv)"
[ ! -e m11.aotpack ] || fail "merge wrote an archive with pieces missing"
expect_exit 0 "$AOTPACK" merge --partial P/app.pvc.aotpack P/app.spirv.aotpack -o part.aotpack
expect_exit 0 "$AOTPACK" list part.aotpack --json
python3 - "$OUT" <<'PY'
import json, sys
j = json.loads(sys.argv[1])
assert j["metadata"]["devices.expanded"] == "pvc", j["metadata"]
targets = {b["target"] for m in j["modules"] for b in m["binaries"]}
assert targets == {"pvc"} and len(j["modules"]) == 3, (targets, j["modules"])
PY
expect_exit 0 "$AOTPACK" verify part.aotpack

# 14. wheel-variants of a wheel whose archive is signed: --sign signs every variant's archive;
# without it a warning says they are unsigned (they were, silently).
python3 - bs.aotpack <<'PY'
import base64, hashlib, sys, zipfile
files = {"pkg/app.aotpack": open(sys.argv[1], "rb").read(),
         "pkg-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
         "pkg-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n"}
def digest(b):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b"=").decode()
record = "".join(f"{n},{digest(b)},{len(b)}\n" for n, b in files.items()) + "pkg-1.0.dist-info/RECORD,,\n"
with zipfile.ZipFile("pkg-1.0-py3-none-any.whl", "w") as z:
    for n, b in files.items():
        z.writestr(n, b)
    z.writestr("pkg-1.0.dist-info/RECORD", record)
PY
expect_exit 0 "$AOTPACK" wheel-variants pkg-1.0-py3-none-any.whl -o wv
expect_in "'pkg/app.aotpack' is signed, its variants are not (they are new files): give --sign KEY"
expect_exit 0 "$AOTPACK" wheel-variants pkg-1.0-py3-none-any.whl -o wv2 --sign k1.key
expect_not_in "warning"
for label in pvc acm_g10 null; do
    unzip -p "wv2/pkg-1.0-py3-none-any-$label.whl" pkg/app.aotpack >"variant-$label.aotpack"
    expect_exit 0 "$AOTPACK" verify "variant-$label.aotpack" --trusted k1.key.pub
done

# 2. keygen onto an existing private key writes nothing (it wrote a .pub that did not match).
touch only.key
expect_exit 6 "$AOTPACK" keygen -o only.key
expect_in "'only.key' exists; a key is never overwritten"
[ ! -e only.key.pub ] || fail "keygen wrote only.key.pub beside a key it did not make"

# 3. fetch --device speaks the device language (lists, families), as DELIVERY.md writes it.
expect_exit 0 "$AOTPACK" publish app.aotpack --to "file://$WORK/natives"
expect_exit 0 "$AOTPACK" fetch app.slim.aotpack --device acm-g10,pvc
expect_exit 0 "$AOTPACK" fetch app.slim.aotpack --device xe-hpc
expect_exit 2 "$AOTPACK" fetch app.slim.aotpack --device nosuchgpu
expect_in "--device:"

# 5. slim --remote-spirv before publish --spirv warns (it said nothing, and a load later failed
# with its message prefix doubled); after publish --spirv it does not.
expect_exit 0 "$AOTPACK" slim app.aotpack --natives-url "file://$WORK/natives" --remote-spirv -o rs.aotpack
expect_in "the natives server lacks 3 of 3 (module 'histogram' first) of its SPIR-V"
expect_in "aotpack publish ARCHIVE --spirv --to URL"
expect_not_in "its native binaries"
mkdir -p sim5 && cd sim5
expect_exit 7 sim_tgl AOTPACK_CACHE_DIR="$WORK/cache5" "$AOTPACK" load ../rs.aotpack --module reduce
expect_in "module 'reduce': its SPIR-V is on the server and fetching it failed"
expect_not_in "module 'reduce': module 'reduce'"
cd ..
# 7. export-ar of a slim archive fetches what the server holds (the natives vanished silently);
# without the SPIR-V on the server it says so instead of writing a fat binary without it.
expect_exit 0 "$AOTPACK" export-ar app.aotpack --module reduce -o full.ar
expect_exit 0 "$AOTPACK" export-ar app.slim.aotpack --module reduce -o slim.ar
cmp -s full.ar slim.ar || fail "export-ar of the slim archive differs from the original's"
expect_exit 9 "$AOTPACK" export-ar rs.aotpack --module reduce -o rs.ar
expect_in "module 'reduce': its SPIR-V did not come from the natives server"
[ ! -e rs.ar ] || fail "export-ar wrote a fat binary without the SPIR-V"
expect_exit 0 "$AOTPACK" publish app.aotpack --spirv --to "file://$WORK/natives"
expect_exit 0 "$AOTPACK" slim app.aotpack --natives-url "file://$WORK/natives" --remote-spirv -o rs.aotpack
expect_not_in "warning"
expect_exit 0 "$AOTPACK" export-ar rs.aotpack --module reduce -o rs.ar
cmp -s full.ar rs.ar || fail "export-ar of the --remote-spirv archive differs from the original's"
# 6. add-targets of an archive whose SPIR-V is on the server: a clear error (it said "target tgllp
# is already in" and built nothing).
expect_exit 2 "$AOTPACK" add-targets rs.aotpack -d tgllp -o more.aotpack
expect_in "keeps its SPIR-V on the natives server"
expect_not_in "already in"
[ ! -e more.aotpack ] || fail "add-targets wrote an archive"

# 4. slim refuses a natives URL no runtime could fetch from.
for url in not-a-url ftp://host/x http://; do
    expect_exit 2 "$AOTPACK" slim app.aotpack --natives-url "$url" -o bad.aotpack
    expect_in "is not an http://, https:// or file:// URL"
done
[ ! -e bad.aotpack ] || fail "slim wrote an archive with a bad URL"

# 12. inspect of an ocloc fat AR sees the SPIR-V its generic_ir member holds (also aotpack's own
# export-ar output); one built with -exclude_ir has none.
"$AOTPACK" extract app.aotpack --module reduce -o ex >/dev/null
ocloc compile -spirv_input -file ex/reduce.spv -device pvc,acm-g10 -output withir >/dev/null
ocloc compile -spirv_input -file ex/reduce.spv -device pvc,acm-g10 -exclude_ir -output noir >/dev/null
withir=$(ls withir* | head -1); noir=$(ls noir* | head -1)
ar t "$withir" | grep -qx generic_ir || fail "ocloc wrote no generic_ir member"
expect_exit 0 "$AOTPACK" inspect "$withir"
expect_in "every other Intel GPU JIT-compiles the SPIR-V"
expect_exit 0 "$AOTPACK" inspect "$noir"
expect_in "no SPIR-V, so other GPUs cannot run it"
"$AOTPACK" export-ar app.aotpack --module reduce -o exported.ar >/dev/null
expect_exit 0 "$AOTPACK" inspect exported.ar
expect_in "every other Intel GPU JIT-compiles the SPIR-V"

# 12 (capture). capture --from-binary of a library holding such a fat binary takes the SPIR-V
# of its generic_ir (it said "only native code"), and it builds for a GPU the AR lacks.
echo 'int answer(void) { return 42; }' >lib.c
cc -shared -fPIC -o libwithir.so lib.c
objcopy --add-section .kernels="$withir" libwithir.so
expect_exit 0 "$AOTPACK" capture --from-binary libwithir.so -o capar
"$AOTPACK" build -q -d tgllp capar -o capar.aotpack
expect_exit 0 "$AOTPACK" list capar.aotpack --json
python3 -c 'import json,sys; j=json.loads(sys.argv[1]); assert len(j["modules"]) == 1 and [b["target"] for b in j["modules"][0]["binaries"]] == ["tgllp"], j["modules"]' "$OUT"
cp libwithir.so libnoir.so && objcopy --remove-section .kernels libnoir.so
objcopy --add-section .kernels="$noir" libnoir.so
expect_exit 9 "$AOTPACK" capture --from-binary libnoir.so -o capnoir
expect_in "only native code"

# 13. inspect of a truncated aotpack archive: exit 4 and the file's name, as list and verify.
head -c 3000 app.aotpack >trunc.aotpack
expect_exit 4 "$AOTPACK" list trunc.aotpack
expect_exit 4 "$AOTPACK" inspect trunc.aotpack
expect_in "'trunc.aotpack': the archive is not a valid aotpack archive"
expect_not_in "<embedded archive>"

# 21 (part). SPIR-V and no native at all: "every Intel GPU", not "every other".
expect_exit 0 "$AOTPACK" inspect ex/reduce.spv
expect_in "no native code; every Intel GPU JIT-compiles the SPIR-V"

# 21 (part). Removing every target: the devices line says so (it ended in "-> ").
expect_exit 0 "$AOTPACK" remove-targets app.aotpack -d ats-m150,pvc -o none.aotpack
expect_exit 0 "$AOTPACK" list none.aotpack
expect_in "-> none (SPIR-V only)"

# 9. A slim archive's natives are named where a device has none (it said "archive has no native
# binaries" although the server holds acm-g10 and pvc).
expect_exit 0 "$AOTPACK" select app.slim.aotpack --device tgllp
expect_in "acm-g10 (12.55.8), pvc (12.60.7) on the natives server"
expect_not_in "no native binaries"

# 8. Reasons longer than load_info.reason's 255 bytes arrive whole in load --json, AOTPACK_LOG
# and the Python module (aotpack_last_reason); the C struct's copy ends in "...".
"$AOTPACK" build -q -d skl,kbl,cfl,apl,glk,icllp,lkf,jsl,ehl,dg1,adl-n,acm-g10,acm-g11,acm-g12,pvc \
    "$SRC/examples/kernels/reduce.cl" -o many.aotpack
mkdir -p sim8 && cd sim8
OUT=$(AOTPACK_LOG=1 sim_tgl "$AOTPACK" load ../many.aotpack --json 2>log) || fail "load: $(cat log)"
cd ..
python3 - "$OUT" <<'PY'
import json, sys
reason = json.loads(sys.argv[1])[0]["reason"]
assert len(reason) > 255 and reason.endswith("; JIT from SPIR-V"), reason
PY
grep -q "pvc (12.60.7)); JIT from SPIR-V)" sim8/log || fail "AOTPACK_LOG cut the reason: $(cat sim8/log)"
if [ -z "${AOTPACK_SANITIZED:-}" ]; then # a sanitized library cannot load into python
    env PYTHONPATH="$SRC/python" AOTPACK_RT_LIBRARY="$AOTPACK_BINARY_DIR/src/runtime/libaotpack_rt.so.0" \
        python3 - <<'PY' || fail "the Python module or load_info.reason"
import aotpack, ctypes
a = aotpack.Archive("many.aotpack")
reason = a.select("reduce", "tgllp")["reason"]
assert len(reason) > 255 and reason.endswith("; JIT from SPIR-V"), reason
lib, info = aotpack._lib, aotpack._LoadInfo()
assert lib.aotpack_select(a._handle, b"reduce", 0x03000000, 0, ctypes.byref(info)) == 0
cut = info.reason.decode()
assert len(cut) == 255 and cut.endswith("...") and reason.startswith(cut[:-3]), cut
PY
fi

# 10. select of a slim archive names the native the server holds (it said "entry": "spirv").
expect_exit 0 "$AOTPACK" select app.slim.aotpack --device pvc --json
python3 - "$OUT" <<'PY'
import json, sys
for m in json.loads(sys.argv[1]):
    assert (m["choice"], m["entry"]) == ("native", "pvc (on the natives server)"), m
PY

# 15. sign with the public key: the message says so (it first demanded chmod 600).
"$AOTPACK" keygen -o release.key >/dev/null
chmod 644 release.key.pub
expect_exit 3 "$AOTPACK" sign app.aotpack --key release.key.pub -o signed.aotpack
expect_in "'release.key.pub' is a public key, not an Ed25519 private key"
expect_not_in "chmod"

# 16. publish of a slim archive is an error, not "published 0 native(s)".
expect_exit 2 "$AOTPACK" publish app.slim.aotpack --to "file://$WORK/natives"
expect_in "is a slim archive"

# 17. device-ips --json without a GPU: [] and exit 0 (a variant provider's answer); the Python
# module's device_ips() returns [] too. Plain device-ips still says there is no GPU (exit 7).
nogpu=()
[ -z "${AOTPACK_SANITIZED:-}" ] || nogpu=(env NEOReadDebugKeys=1 DisableDeepBind=1)
set +e
json=$("${nogpu[@]}" "$AOTPACK" device-ips --json 2>/dev/null)
rc=$?
set -e
[ "$rc" = 0 ] && [ "$json" = "[]" ] || fail "device-ips --json without a GPU: exit $rc, '$json'"
expect_exit 7 "${nogpu[@]}" "$AOTPACK" device-ips
if [ -z "${AOTPACK_SANITIZED:-}" ]; then # a sanitized library cannot load into python
    py=$(env PYTHONPATH="$SRC/python" \
        AOTPACK_RT_LIBRARY="$AOTPACK_BINARY_DIR/src/runtime/libaotpack_rt.so.0" \
        python3 -c 'import aotpack; print(aotpack.device_ips())')
    [ "$py" = "[]" ] || fail "aotpack.device_ips() without a GPU: $py"
fi

# 19. --json-report of a build that is all cache hits names its compile mode: none.
"$AOTPACK" build -q -d ats-m150,pvc "$SRC/examples/kernels" -o again.aotpack --json-report hits.json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["compile_mode"] == "none", r["compile_mode"]' hits.json

# 20. wheel-variants of a wheel that does not exist: "does not exist", exit 3.
expect_exit 3 "$AOTPACK" wheel-variants nope.whl -o variants
expect_in "'nope.whl' does not exist"

# 22. icl, ocloc's own name for Ice Lake, is a device name.
expect_exit 0 "$AOTPACK" devices icl
expect_in "icllp"

# 23. docs/OCLOC.md says what --shim-dir prints: <cache root>/shim/<hash>.
expect_exit 0 "$AOTPACK" ocloc --shim-dir
[[ "$OUT" == "$AOTPACK_CACHE_DIR/shim/"* ]] || fail "--shim-dir printed $OUT"
grep -qF '`<cache root>/shim/<hash>`' "$SRC/docs/OCLOC.md" || fail "docs/OCLOC.md: --shim-dir"

# --json on publish, slim, split and fetch (what scripts of sccache users expect).
expect_exit 0 "$AOTPACK" publish app.aotpack --to "file://$WORK/natives-j" --json
python3 -c 'import json,sys; j=json.loads(sys.argv[1]); assert j["uploaded"] == 6 and j["already_there"] == 0 and j["bytes_uploaded"] > 0, j' "$OUT"
expect_exit 0 "$AOTPACK" slim app.aotpack --natives-url "file://$WORK/natives-j" -o j.slim.aotpack --json
python3 -c 'import json,sys,os; j=json.loads(sys.argv[1]); assert j["warnings"] == [] and j["bytes"] == os.path.getsize("j.slim.aotpack"), j' "$OUT"
expect_exit 0 "$AOTPACK" split app.aotpack -o PJ --json
python3 -c 'import json,sys,os; j=json.loads(sys.argv[1]); assert [p["piece"] for p in j] == ["acm-g10", "pvc", "spirv"] and all(p["bytes"] == os.path.getsize(p["path"]) for p in j), j' "$OUT"
expect_exit 0 env AOTPACK_CACHE_DIR="$WORK/cache-j" "$AOTPACK" fetch j.slim.aotpack --device pvc --json
python3 -c 'import json,sys; j=json.loads(sys.argv[1]); assert (j["fetched"], j["failed"]) == (3, 0), j' "$OUT"

# An unknown command followed by --help is an unknown command (it printed the main help, exit 0).
expect_exit 2 "$AOTPACK" nosuch --help
expect_in "unknown command 'nosuch'"
expect_exit 0 "$AOTPACK" toolchain --help
expect_in "Usage: aotpack toolchain"
echo "PASS: $TEST_NAME"
