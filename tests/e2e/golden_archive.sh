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
echo "PASS: $TEST_NAME"
