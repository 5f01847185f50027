#!/usr/bin/env bash
# aotpack inspect on files made by the real tools of each format: ocloc (SPIR-V,
# zebins, fat ARs), LLVM 16's clang-offload-packager and clang -fembed-offload-object
# (OffloadBinary in .llvm.offloading), llvm-objdump --offloading as a second reader, ar, gcc and
# objcopy (images in a shared library's sections), zstd (compressed images). OffloadBinary v2 and
# a compressed v3, which no tool here writes, are made from the layout in LLVM's sources.
source "$(dirname "$0")/common.sh"
for tool in clang-offload-packager-16 clang-16 llvm-objdump-16 objcopy zstd; do
    command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/setup.sh installs it)"
done

cp "$SRC/tests/data/vector_ops.spv" v.spv
ocloc compile -file v.spv -spirv_input -device pvc --format zebin -output pvc.zebin \
    -output_no_suffix -q >/dev/null
ocloc compile -file v.spv -spirv_input -device acm-g10,tgllp --format zebin -output fat.ar -q >/dev/null
[ -s pvc.zebin ] && [ -s fat.ar ] || fail "ocloc made no images"

# Plain files: each kind alone.
expect_exit 0 "$AOTPACK" inspect v.spv pvc.zebin fat.ar --json
python3 - "$OUT" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
kinds = [(f["images"][0]["kind"], f["images"][0]["kernels"]) for f in r["files"]]
assert kinds == [("spirv", 2), ("zebin", 2), ("ocloc-ar", 2)], kinds
assert r["files"][1]["images"][0]["targets"] == [{"name": "pvc", "ip": "12.60.7"}], r["files"][1]
ar = sorted(t["name"] for t in r["files"][2]["images"][0]["targets"])
assert ar == ["acm-g10", "tgllp"], ar
assert r["summary"] == "natively for acm-g10 (12.55.8), pvc (12.60.7), tgllp (12.0.0); every other Intel GPU JIT-compiles the SPIR-V", r["summary"]
PY

# LLVM's OffloadBinary: the packager's file, then embedded in an object by clang; llvm-objdump
# must see the same entries (triple, arch) as aotpack.
clang-offload-packager-16 -o packed.bin \
    --image=file=v.spv,triple=spir64,arch=generic,kind=sycl \
    --image=file=pvc.zebin,triple=spir64_gen,arch=pvc,kind=sycl \
    --image=file=fat.ar,triple=spir64_gen,arch=acm-g10,kind=sycl
echo 'int main(void) { return 0; }' >host.c
clang-16 -c host.c -Xclang -fembed-offload-object=packed.bin -o host.o
for f in packed.bin host.o; do
    expect_exit 0 "$AOTPACK" inspect "$f" --json
    python3 - "$OUT" <<'PY'
import json, sys
images = json.loads(sys.argv[1])["files"][0]["images"]
got = [(i["kind"], i["properties"].get("triple"), i["properties"].get("arch")) for i in images]
want = [("spirv", "spir64", "generic"), ("zebin", "spir64_gen", "pvc"), ("ocloc-ar", "spir64_gen", "acm-g10")]
assert got == want, got
PY
done
llvm-objdump-16 --offloading host.o | awk '/^(arch|triple)/ {print $1, $2}' >objdump.txt
"$AOTPACK" inspect host.o --json | python3 -c '
import json, sys
for i in json.load(sys.stdin)["files"][0]["images"]:
    print("arch", i["properties"]["arch"]); print("triple", i["properties"]["triple"])' >aotpack.txt
diff objdump.txt aotpack.txt || fail "llvm-objdump-16 --offloading and aotpack inspect disagree"
expect_exit 0 "$AOTPACK" inspect host.o
expect_in "section '.llvm.offloading', OffloadBinary v1 entry 0"

# A static library of that object.
ar rcs libhost.a host.o
expect_exit 0 "$AOTPACK" inspect libhost.a
expect_in "member 'host.o', section '.llvm.offloading'"
expect_in "natively for acm-g10 (12.55.8), pvc (12.60.7), tgllp (12.0.0)"

# A shared library whose sections objcopy filled: an AR, a zstd-compressed SPIR-V, a zebin among
# other bytes (found by magic, at its alignment).
echo 'int answer(void) { return 42; }' >lib.c
gcc -shared -fPIC lib.c -o libplain.so
zstd -q -19 v.spv -o v.spv.zst
python3 -c 'import sys; sys.stdout.buffer.write(b"\0" * 24 + open("pvc.zebin", "rb").read() + b"\0" * 8)' >padded.bin
objcopy --add-section .gpu_fat=fat.ar --add-section .gpu_spv=v.spv.zst \
    --add-section .gpu_misc=padded.bin libplain.so libimages.so
expect_exit 0 "$AOTPACK" inspect libimages.so --json
python3 - "$OUT" <<'PY'
import json, sys
images = json.loads(sys.argv[1])["files"][0]["images"]
got = sorted((i["where"], i["kind"], i["compressed"], i["kernels"]) for i in images)
want = [("section '.gpu_fat'", "ocloc-ar", False, 2), ("section '.gpu_misc'", "zebin", False, 2),
        ("section '.gpu_spv'", "spirv", True, 2)]
assert got == want, got
PY
# A file without device code: exit 9; a damaged container: exit 3 naming the file and offset.
gcc -x c - -o plain <<<'int main(void) { return 0; }'
expect_exit 9 "$AOTPACK" inspect plain
expect_in "no device code in plain"
head -c 300 packed.bin >truncated.bin
expect_exit 3 "$AOTPACK" inspect truncated.bin
expect_in "'truncated.bin': the file: malformed OffloadBinary at offset"
[ "$(wc -l <<<"$OUT")" = 1 ] || fail "one line expected: $OUT"

# OffloadBinary v2 (entry count, sized strings) and a zstd-compressed v3, from LLVM's layout.
PYTHONPATH=$SRC/tests/e2e/lib python3 - v.spv pvc.zebin <<'PY'
import struct, subprocess, sys
from offload_binary import body, write_v2
images = [(6, 8, open(sys.argv[1], "rb").read(), {"triple": "spir64", "arch": "generic"}),
          (1, 8, open(sys.argv[2], "rb").read(), {"triple": "spir64_gen", "arch": "pvc"})]
open("v2.bin", "wb").write(write_v2(images))
blob, size = body(images, 40)
packed = subprocess.run(["zstd", "-q", "-c"], input=blob, capture_output=True, check=True).stdout
total = 40 + len(packed)  # LLVM: Size covers the compressed body; padding follows it
head = b"\x10\xff\x10\xad" + struct.pack("<IQQQQ", 3, total, 40, len(images), size)
open("v3.bin", "wb").write(head + packed + b"\0" * (-total % 8))
PY
for f in v2.bin v3.bin; do
    expect_exit 0 "$AOTPACK" inspect "$f" --json
    python3 - "$OUT" "$f" <<'PY'
import json, sys
images = json.loads(sys.argv[1])["files"][0]["images"]
got = [(i["kind"], i["kernels"], i["properties"]["arch"], i["compressed"]) for i in images]
assert got == [("spirv", 2, "generic", sys.argv[2] == "v3.bin"), ("zebin", 2, "pvc", sys.argv[2] == "v3.bin")], got
PY
done
# SYCLBIN (intel/llvm SYCLBINDesign.md, SYCLBIN.h): v1 bare and inside an OffloadBinary entry of
# image kind 7, and v2 (a multi-entry OffloadBinary with roles); no tool here writes it, so the
# files follow the layout in those sources.
PYTHONPATH=$SRC/tests/e2e/lib python3 - v.spv pvc.zebin <<'PY'
import struct, sys
from offload_binary import write_v2
spv, zebin = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
meta = b"[SYCLBIN/global metadata]\nstate=1|0\n"
ir_meta = b"[SYCLBIN/ir module metadata]\ntype=1|0\n"
def pad8(b): return b + b"\0" * (-len(b) % 8)
table = pad8(meta) + pad8(ir_meta)
binary = pad8(spv) + zebin
head = struct.pack("<IIIIIIQQQQ", 0x53594249, 1, 1, 1, 1, 0, len(table), len(binary), 0, len(meta))
am = struct.pack("<QQIIII", 0, len(meta), 1, 0, 1, 0)
ir = struct.pack("<QQQQ", len(pad8(meta)), len(ir_meta), 0, len(spv))
native = struct.pack("<QQQQ", 0, 0, len(pad8(spv)), len(zebin))
v1 = head + am + ir + native + table + binary
open("v1.syclbin", "wb").write(v1)
open("v1-wrapped.bin", "wb").write(write_v2([(7, 8, v1, {"triple": "spir64", "arch": ""})]))
entry = lambda role, image, **kv: (7, 8, image, dict({"role": role, "sycl_format_version": "2"}, **kv))
code = lambda m, raw: struct.pack("<Q", len(m)) + m + raw
open("v2.syclbin", "wb").write(write_v2([
    entry("global_metadata", meta), entry("am_metadata", b"", am_index="0"),
    entry("ir", code(ir_meta, spv), am_index="0", triple="spir64", ir_type="0"),
    entry("native", code(b"", zebin), am_index="0", triple="spir64_gen", arch="pvc")]))
bad = bytearray(v1); struct.pack_into("<Q", bad, 56 + 32 + 32 + 32 - 8, 1 << 40)
open("bad.syclbin", "wb").write(bad)
PY
for f in v1.syclbin v1-wrapped.bin v2.syclbin; do
    expect_exit 0 "$AOTPACK" inspect "$f" --json
    python3 - "$OUT" "$f" <<'PY'
import json, sys
images = json.loads(sys.argv[1])["files"][0]["images"]
got = [(i["kind"], i["kernels"], i["properties"].get("syclbin")) for i in images]
v2 = sys.argv[2] == "v2.syclbin"
assert got == [("spirv", 2, "v2 ir" if v2 else "ir"), ("zebin", 2, "v2 native" if v2 else "native")], got
assert [t["name"] for t in images[1]["targets"]] == ["pvc"], images[1]
PY
done
expect_exit 3 "$AOTPACK" inspect bad.syclbin
expect_in "malformed SYCLBIN v1: an image of abstract module 0 lies outside the binary table"
echo "PASS: foreign_binaries"
