#!/usr/bin/env bash
# aotpack split: one piece per target plus a SPIR-V-only piece (or per group of
# targets that serve each other with --by compat); merge of all pieces is the original archive
# byte for byte; pieces are ordinary archives a runtime loads; incomplete or foreign sets of
# pieces are refused (exit 8), naming what is wrong.
source "$(dirname "$0")/common.sh"
command -v ocloc >/dev/null || skip "ocloc is not installed"

"$AOTPACK" build -q -d pvc,acm-g10,acm-g11,tgllp,dg1 "$SRC/examples/kernels" -o app.aotpack
for by in target compat; do
    expect_exit 0 "$AOTPACK" split app.aotpack -o "$by" --by "$by"
    expect_exit 0 "$AOTPACK" merge "$by"/*.aotpack -o "merged-$by.aotpack"
    cmp app.aotpack "merged-$by.aotpack" || fail "--by $by: the pieces do not merge back byte for byte"
done
[ "$(ls target | wc -l)" = 6 ] || fail "5 target pieces + spirv expected: $(ls target)"
[ -f compat/app.acm-g10+acm-g11.aotpack ] || fail "acm-g11 is served by acm-g10's binary: $(ls compat)"
[ "$(ls compat | wc -l)" = 5 ] || fail "compat: $(ls compat)"
# Each piece: its own targets' binaries, every module's SPIR-V, and the archive's metadata.
[ "$("$AOTPACK" list --targets target/app.pvc.aotpack)" = pvc ] || fail "pvc piece targets"
[ -z "$("$AOTPACK" list --targets target/app.spirv.aotpack)" ] || fail "the spirv piece has natives"
for piece in target/*.aotpack; do
    "$AOTPACK" verify "$piece" >/dev/null
    [ "$("$AOTPACK" list "$piece" | grep -cE '^[a-z_]+ +yes ')" = 3 ] || fail "$piece lacks SPIR-V"
done
"$AOTPACK" list --json target/app.pvc.aotpack >pvc.json
"$AOTPACK" list --json app.aotpack >app.json
python3 - <<'PY'
import json
m = json.load(open("pvc.json"))["metadata"]
whole = json.load(open("app.json"))["metadata"]
assert m["devices.expanded"] == "pvc" and m["split.piece"] == "pvc", m
for k, v in whole.items():  # the original's metadata travels with every piece
    assert m["split.meta." + k] == v, (k, m)
PY
# A piece is an archive like any other: native on its GPU, the SPIR-V piece JITs.
AOTPACK_LOG=1 expect_exit 0 sim_pvc "$AOTPACK" load target/app.pvc.aotpack --module vector_ops
expect_in "native (exact match for pvc"
AOTPACK_LOG=1 expect_exit 0 sim_pvc "$AOTPACK" load target/app.spirv.aotpack --module vector_ops
expect_in ": jit"
# --natives-only: target pieces without SPIR-V (smallest; no JIT from them), merged back all the same.
expect_exit 0 "$AOTPACK" split app.aotpack -o lean --natives-only
[ "$("$AOTPACK" list lean/app.pvc.aotpack | grep -cE '^[a-z_]+ +no ')" = 3 ] || fail "lean pvc piece has SPIR-V"
[ "$(stat -c %s lean/app.pvc.aotpack)" -lt "$(stat -c %s target/app.pvc.aotpack)" ] || fail "not smaller"
expect_exit 0 "$AOTPACK" merge lean/*.aotpack -o merged-lean.aotpack
cmp app.aotpack merged-lean.aotpack || fail "--natives-only pieces do not merge back byte for byte"
AOTPACK_LOG=1 expect_exit 0 sim_pvc "$AOTPACK" load lean/app.pvc.aotpack --module vector_ops
expect_in "native (exact match for pvc"
expect_exit 9 sim_tgl "$AOTPACK" load lean/app.pvc.aotpack --module vector_ops
# Incomplete, repeated or foreign pieces; a piece split again.
expect_exit 8 "$AOTPACK" merge target/app.pvc.aotpack target/app.spirv.aotpack -o x.aotpack
expect_in "of 6 pieces missing"
expect_exit 8 "$AOTPACK" merge target/*.aotpack target/app.pvc.aotpack -o x.aotpack
expect_in "is given twice"
"$AOTPACK" build -q -d pvc "$SRC/examples/kernels" -o other.aotpack
"$AOTPACK" split other.aotpack -o other >/dev/null
expect_exit 8 "$AOTPACK" merge target/*.aotpack other/other.pvc.aotpack -o x.aotpack
expect_in "is not a piece of the same split archive"
[ ! -e x.aotpack ] || fail "a refused merge wrote output"
expect_exit 2 "$AOTPACK" split target/app.pvc.aotpack -o again
expect_in "is already a piece"
# Signed pieces (each verifies), and a signed merge of them is the original signed.
"$AOTPACK" keygen -o k >/dev/null
expect_exit 0 "$AOTPACK" split app.aotpack -o signed --sign k
for piece in signed/*.aotpack; do "$AOTPACK" verify "$piece" --trusted k.pub >/dev/null; done
expect_exit 0 "$AOTPACK" merge signed/*.aotpack -o merged-signed.aotpack --sign k
"$AOTPACK" sign app.aotpack --key k -o app-signed.aotpack >/dev/null
cmp app-signed.aotpack merged-signed.aotpack || fail "a signed merge differs from the original signed"
