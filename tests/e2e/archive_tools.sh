#!/usr/bin/env bash
# list, size, extract, verify, merge, remove-targets, embed on real archives.
source "$(dirname "$0")/common.sh"
k=$SRC/examples/kernels

"$AOTPACK" build -q -d ats-m150,pvc "$k" -o both.aotpack
"$AOTPACK" build -q -d pvc "$k" -o pvc.aotpack
"$AOTPACK" build -q -d ats-m150 "$k" -o atsm.aotpack

expect_exit 0 "$AOTPACK" list --targets both.aotpack
[ "$OUT" = "$(printf 'acm-g10\npvc')" ] || fail "targets: $OUT"
expect_exit 0 "$AOTPACK" size both.aotpack --json
python3 -c 'import json,sys; s=json.loads(sys.argv[1]); assert s["payload_stored"] < s["payload_raw"] and 0 < s["spirv_share"] < 1, s' "$OUT"

# merge: the union equals a build of both targets.
expect_exit 0 "$AOTPACK" merge pvc.aotpack atsm.aotpack -o merged.aotpack
"$AOTPACK" verify merged.aotpack
[ "$("$AOTPACK" list --targets merged.aotpack)" = "$("$AOTPACK" list --targets both.aotpack)" ] || fail "merge lost targets"
"$AOTPACK" extract merged.aotpack -o m && "$AOTPACK" extract both.aotpack -o b
diff -r m b || fail "merged payloads differ from a direct build"
# ... and keeps what the inputs were built for and with (it once dropped both).
OUT=$("$AOTPACK" list merged.aotpack)
expect_in "devices: pvc,ats-m150 -> acm-g10,pvc"
expect_in "compiler: ocloc 22.43"

# merge conflict: the same module and target with other contents.
mkdir other && echo '__kernel void vadd(__global int* p) { p[0] = 2; }' > other/vector_ops.cl
"$AOTPACK" build -q -d pvc other -o other.aotpack
expect_exit 8 "$AOTPACK" merge pvc.aotpack other.aotpack -o bad.aotpack
expect_in "module 'vector_ops' has two different"
[ ! -e bad.aotpack ] || fail "partial merge written"

# remove-targets: like nvprune.
expect_exit 0 "$AOTPACK" remove-targets both.aotpack -d pvc -o pruned.aotpack
[ "$("$AOTPACK" list --targets pruned.aotpack)" = acm-g10 ] || fail "remove-targets"
"$AOTPACK" extract pruned.aotpack -o p
[ -f p/reduce.spv ] && [ ! -e p/reduce.12.60.7.bin ] || fail "pruned contents: $(ls p)"

# extract filters, and never writes outside the directory (names are validated).
expect_exit 0 "$AOTPACK" extract both.aotpack --module reduce --target pvc -o one
[ "$(ls one)" = "reduce.12.60.7.bin" ] || fail "filtered extract: $(ls one)"
expect_exit 9 "$AOTPACK" extract both.aotpack --module nope -o none

# verify catches a flipped byte in a payload (index intact): exit 4.
cp both.aotpack flipped.aotpack
size=$(stat -c %s flipped.aotpack)
printf '\xff' | dd of=flipped.aotpack bs=1 seek=$((size - 20)) conv=notrunc 2>/dev/null
expect_exit 4 "$AOTPACK" verify flipped.aotpack
expect_in "fails its checksum"
expect_exit 4 "$AOTPACK" list "$SRC/CMakeLists.txt"
expect_in "wrong magic"

# embed: .c, .S and .o all define the symbol and its size.
for ext in c S o; do
    expect_exit 0 "$AOTPACK" embed both.aotpack -o emb.$ext --symbol kernels_archive
done
cc -c emb.c -o emb_c.o && cc -c emb.S -o emb_S.o
for obj in emb_c.o emb_S.o emb.o; do
    nm "$obj" | grep -q " R kernels_archive$" || fail "$obj lacks the symbol: $(nm $obj)"
    nm "$obj" | grep -q "kernels_archive_size$" || fail "$obj lacks the size symbol"
done
expect_exit 2 "$AOTPACK" embed both.aotpack -o emb.txt
