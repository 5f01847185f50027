#!/usr/bin/env bash
# Refactors keep archives byte for byte: the examples built now equal the archives a previous
# commit built from them (tests/data/golden, made with Debian 12's ocloc 22.43.24595). A change
# that means to alter the bytes replaces the golden files in the same commit and says why.
# The *-1.0 files are the same builds in format 1.0 (before SPIR-V byte planes): still read, and
# holding exactly the same entries.
source "$(dirname "$0")/common.sh"
command -v ocloc >/dev/null || skip "ocloc is not installed"
version=$(dpkg-query -W -f '${Version}' intel-opencl-icd 2>/dev/null || true)
[[ "$version" == 22.43.24595* ]] || skip "the golden archives were made with ocloc 22.43.24595 (here: ${version:-unknown})"
GOLDEN=$SRC/tests/data/golden

"$AOTPACK" build -q --no-cache -d pvc,tgllp,acm-g10 "$SRC/examples/kernels" -o examples.aotpack
cmp examples.aotpack "$GOLDEN/examples.aotpack" || fail "examples.aotpack differs from the golden archive"
"$AOTPACK" build -q --no-cache --compression fast-load -d pvc "$SRC/examples/kernels" -o fast.aotpack
cmp fast.aotpack "$GOLDEN/examples-fast-load.aotpack" || fail "the fast-load archive differs from the golden one"
# The same through the cache (hits copy stored payloads).
"$AOTPACK" build -q -d pvc,tgllp,acm-g10 "$SRC/examples/kernels" -o cold.aotpack
"$AOTPACK" build -q -d pvc,tgllp,acm-g10 "$SRC/examples/kernels" -o warm.aotpack
cmp warm.aotpack "$GOLDEN/examples.aotpack" || fail "a warm build differs from the golden archive"
# merge and remove-targets keep every entry's bytes: the entries of a merge equal the golden's.
"$AOTPACK" merge "$GOLDEN/examples.aotpack" "$GOLDEN/examples-fast-load.aotpack" -o merged.aotpack >/dev/null
"$AOTPACK" remove-targets merged.aotpack -d tgllp,acm-g10 -o pvc-only.aotpack >/dev/null
for a in "$GOLDEN/examples.aotpack" merged.aotpack pvc-only.aotpack; do
    rm -rf "x-$(basename "$a")" && "$AOTPACK" extract "$a" -o "x-$(basename "$a")" >/dev/null
done
diff -r "x-examples.aotpack" "x-merged.aotpack" >/dev/null || fail "merge changed an entry"
for f in x-pvc-only.aotpack/*; do
    cmp "$f" "x-examples.aotpack/$(basename "$f")" || fail "remove-targets changed $(basename "$f")"
done
# Format 1.0 archives stay readable: same entries, byte for byte, as their 1.1 counterparts.
for old in examples examples-fast-load; do
    "$AOTPACK" verify "$GOLDEN/$old-1.0.aotpack" >/dev/null || fail "$old-1.0.aotpack does not verify"
    rm -rf "old-$old" "new-$old"
    "$AOTPACK" extract "$GOLDEN/$old-1.0.aotpack" -o "old-$old" >/dev/null
    "$AOTPACK" extract "$GOLDEN/$old.aotpack" -o "new-$old" >/dev/null
    diff -r "old-$old" "new-$old" >/dev/null || fail "$old-1.0.aotpack holds other entries than $old.aotpack"
done

# 16 modules or more: payloads stored with the trained dictionaries (format 1.4, data/
# dictionaries), each carried once. many-16.aotpack: examples/kernels copied 16 times under other
# kernel names, -d pvc,tgllp. Retraining the dictionaries changes it (the commit says so).
mkdir many && kernels=(vector_ops reduce histogram)
for i in $(seq 0 15); do
    k=${kernels[$((i % 3))]}
    sed "s/__kernel void \([A-Za-z_0-9]*\)/__kernel void \1_$i/g" "$SRC/examples/kernels/$k.cl" >"many/${k}_$i.cl"
done
"$AOTPACK" build -q --no-cache -d pvc,tgllp many -o many.aotpack
cmp many.aotpack "$GOLDEN/many-16.aotpack" || fail "many.aotpack differs from the golden archive"
"$AOTPACK" list many.aotpack >list.out && grep -q "format 1.4" list.out || fail "not format 1.4: $(cat list.out)"
# --compression portable: no dictionaries, format 1.1, larger; the same entries.
"$AOTPACK" build -q --no-cache --compression portable -d pvc,tgllp many -o portable.aotpack
"$AOTPACK" list portable.aotpack | grep -q "format 1.1" || fail "--compression portable is not format 1.1"
[ "$(stat -c %s many.aotpack)" -lt "$(( $(stat -c %s portable.aotpack) * 8 / 10 ))" ] ||
    fail "the dictionaries do not save 20% ($(stat -c %s many.aotpack) vs $(stat -c %s portable.aotpack) B)"
"$AOTPACK" extract many.aotpack -o x-many >/dev/null && "$AOTPACK" extract portable.aotpack -o x-portable >/dev/null
diff -r x-many x-portable >/dev/null || fail "the dictionaries changed an entry"
[ "$(ls x-many | wc -l)" = 48 ] || fail "extract wrote $(ls x-many | wc -l) files, not 48 (a dictionary?)"
# merge, remove-targets and split keep the stored bytes and carry the dictionaries still used.
"$AOTPACK" merge many.aotpack -o many-merged.aotpack >/dev/null
[ "$(stat -c %s many-merged.aotpack)" -le "$(( $(stat -c %s many.aotpack) + 200 ))" ] ||
    fail "merge recompressed the payloads" # (+ its merged_from record)
"$AOTPACK" remove-targets many.aotpack -d tgllp -o many-pvc.aotpack >/dev/null
"$AOTPACK" verify many-pvc.aotpack >/dev/null || fail "remove-targets lost a dictionary"
"$AOTPACK" size many-pvc.aotpack >size.out
grep -q "^dictionaries " size.out || fail "size does not show the dictionaries: $(cat size.out)"
"$AOTPACK" split many.aotpack -o pieces >/dev/null
"$AOTPACK" merge pieces/*.aotpack -o many-again.aotpack >/dev/null
cmp many-again.aotpack many.aotpack || fail "split pieces of a 1.4 archive do not merge back byte for byte"
# The runtime decompresses with the archive's own dictionaries: every module loads natively on a
# simulated pvc, and a signed 1.4 archive loads under a trust policy.
AOTPACK_LOG=1 sim_pvc "$AOTPACK" load many.aotpack >load.out 2>&1 || fail "load: $(cat load.out)"
[ "$(grep -c ': native' load.out)" = 16 ] || fail "not every module loaded natively: $(cat load.out)"
"$AOTPACK" keygen -o k.key >/dev/null && mkdir trusted && mv k.key.pub trusted/
"$AOTPACK" sign many.aotpack --key k.key -o many-signed.aotpack >/dev/null
AOTPACK_TRUSTED_KEYS=$WORK/trusted AOTPACK_LOG=1 sim_pvc "$AOTPACK" load many-signed.aotpack >load.out 2>&1 ||
    fail "trusted load: $(cat load.out)"
[ "$(grep -c ': native' load.out)" = 16 ] || fail "not every module loaded natively under a policy: $(cat load.out)"
echo "PASS: $TEST_NAME"
