#!/usr/bin/env bash
# Signed archives and the trust policy (docs/TRUST.md): keygen, sign, verify --trusted; forgeries
# with valid checksums (tests/tools/forge_signed.cpp) fail; under AOTPACK_TRUSTED_KEYS an unsigned,
# untrusted or forged archive is refused by `load`, by the C API (Python's ctypes module) and by
# replay, whose program then runs on its own JIT; the trusted path loads natively on simulated
# GPUs; no private key material appears in any output.
source "$(dirname "$0")/common.sh"
command -v ocloc >/dev/null || skip "ocloc is not installed"
: "${FORGE_SIGNED:?}" "${SWAP_NATIVES:?}" "${ZEAPP:?}"
exec 3>>"$WORK/outputs.log" # every command's output, searched for secrets at the end
log_out() { printf '%s\n' "$OUT" >&3; }

# Keys: private 0600, public beside it; never overwritten.
expect_exit 0 "$AOTPACK" keygen -o rel.key && log_out
id=$(sed -E 's/^key ([0-9a-f]{16}):.*/\1/' <<<"$OUT")
[ "$(stat -c %a rel.key)" = 600 ] || fail "private key mode $(stat -c %a rel.key)"
[ -s rel.key.pub ] || fail "no public key"
expect_exit 6 "$AOTPACK" keygen -o rel.key && log_out
expect_in "never overwritten"
"$AOTPACK" keygen -o other.key >&3
mkdir trusted && cp rel.key.pub trusted/

# Sign: the payloads do not change; verify names the key; a second signature keeps the first.
"$AOTPACK" build -q -d pvc,tgllp "$SRC/examples/kernels" -o unsigned.aotpack
cp unsigned.aotpack app.aotpack
expect_exit 0 "$AOTPACK" sign app.aotpack --key rel.key && log_out
"$AOTPACK" extract unsigned.aotpack -o a && "$AOTPACK" extract app.aotpack -o b
diff -r a b || fail "signing changed a payload"
size=$(stat -c %s unsigned.aotpack) # after the 64-byte header, the first $size bytes are the same
cmp <(tail -c +65 unsigned.aotpack) <(head -c "$size" app.aotpack | tail -c +65) ||
    fail "signing changed more than the header and the block at the end"
expect_exit 0 "$AOTPACK" verify app.aotpack --trusted rel.key.pub && log_out
expect_in "signed by trusted key $id"
expect_exit 4 "$AOTPACK" verify app.aotpack --trusted other.key.pub && log_out
expect_in "no trusted key signed it"
expect_exit 4 "$AOTPACK" verify unsigned.aotpack --trusted rel.key.pub && log_out
expect_in "'unsigned.aotpack' is not signed"
cp app.aotpack both.aotpack && "$AOTPACK" sign both.aotpack --key other.key >&3
expect_exit 0 "$AOTPACK" verify both.aotpack --trusted rel.key.pub && log_out
expect_exit 0 "$AOTPACK" verify both.aotpack --trusted other.key.pub && log_out
expect_exit 0 "$AOTPACK" verify both.aotpack && log_out # integrity only: says who signed, unchecked
expect_in "note: signed by key(s) $id, "
expect_in "not checked (give --trusted KEY.pub)"
# Signing is deterministic: build --sign gives the bytes of build + sign.
"$AOTPACK" build -q -d pvc,tgllp "$SRC/examples/kernels" -o built-signed.aotpack --sign rel.key
cmp built-signed.aotpack app.aotpack || fail "build --sign differs from build + sign"
expect_exit 0 "$AOTPACK" build -d pvc,tgllp "$SRC/examples/kernels" -o built-signed.aotpack --sign rel.key
expect_in "up to date"
"$AOTPACK" merge unsigned.aotpack -o merged.aotpack --sign other.key
expect_exit 0 "$AOTPACK" verify merged.aotpack --trusted other.key.pub && log_out

# Forgeries a writer without the key can make (every checksum valid): each fails.
"$FORGE_SIGNED" flip-signature app.aotpack bad-signature.aotpack
"$FORGE_SIGNED" flip-digest app.aotpack bad-digest.aotpack
"$FORGE_SIGNED" truncate app.aotpack truncated.aotpack
"$SWAP_NATIVES" unsigned.aotpack swapped.aotpack "$SRC/tests/data/vector_ops.12.55.8.bin"
"$FORGE_SIGNED" graft app.aotpack swapped.aotpack bad-payload.aotpack
"$FORGE_SIGNED" set-meta unsigned.aotpack meta.aotpack options -cl-opt-disable
"$FORGE_SIGNED" graft app.aotpack meta.aotpack bad-metadata.aotpack
for forged in bad-signature:"does not verify" bad-digest:"digest table is damaged" \
    truncated:"(truncated?)" bad-payload:"not what key $id signed" \
    bad-metadata:"metadata is not what key $id signed"; do
    expect_exit 4 "$AOTPACK" verify "${forged%%:*}.aotpack" --trusted rel.key.pub && log_out
    expect_in "${forged#*:}"
done
# One flipped byte in the index: its checksum says so (a forger would recompute it: above).
python3 - app.aotpack flipped-index.aotpack <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[64 + 40] ^= 1; open(sys.argv[2], "wb").write(b)
PY
expect_exit 4 "$AOTPACK" verify flipped-index.aotpack --trusted rel.key.pub && log_out
# One flipped byte in the public key: not the key that signed (or not a key at all).
sed '2s/^\(.\{20\}\)./\1A/' rel.key.pub >flipped.pub
cmp -s flipped.pub rel.key.pub && sed -i '2s/^\(.\{20\}\)./\1B/' flipped.pub
if "$AOTPACK" verify app.aotpack --trusted flipped.pub >&3 2>&1; then
    fail "a flipped public key verified"
fi
# A private key others may read is refused.
chmod 644 rel.key
expect_exit 3 "$AOTPACK" sign app.aotpack --key rel.key && log_out
expect_in "chmod 600"
chmod 600 rel.key

# The policy: `load` and `select` under AOTPACK_TRUSTED_KEYS.
export AOTPACK_TRUSTED_KEYS=$WORK/trusted
AOTPACK_LOG=1 expect_exit 0 sim_pvc "$AOTPACK" load app.aotpack && log_out
expect_in "native"
for refused in unsigned:"is not signed" merged:"no trusted key signed it" \
    bad-signature:"does not verify" truncated:"(truncated?)"; do
    expect_exit 4 sim_pvc "$AOTPACK" load "${refused%%:*}.aotpack" && log_out
    expect_in "${refused#*:}"
    expect_exit 4 "$AOTPACK" select "${refused%%:*}.aotpack" --device pvc && log_out
done
# A payload that is not what was signed is refused before it reaches the driver.
expect_exit 4 sim_pvc "$AOTPACK" load bad-payload.aotpack && log_out
expect_in "not what key $id signed"
expect_exit 0 "$AOTPACK" select app.aotpack --device pvc && log_out
unset AOTPACK_TRUSTED_KEYS

# Signature blocks of version 1 (they pinned raw payloads; tests/data/golden/examples-signed-v1
# was signed by the aotpack of 2026-12-02) still verify and load natively under a policy; a
# payload swapped under such a block is refused.
V1=$SRC/tests/data/golden/examples-signed-v1
mkdir v1-trusted && cp "$V1.pub" v1-trusted/
expect_exit 0 "$AOTPACK" verify "$V1.aotpack" --trusted "$V1.pub" && log_out
AOTPACK_TRUSTED_KEYS=$WORK/v1-trusted AOTPACK_LOG=1 expect_exit 0 sim_pvc "$AOTPACK" load "$V1.aotpack" && log_out
expect_in "native"
"$SWAP_NATIVES" "$SRC/tests/data/golden/examples.aotpack" v1-swapped.aotpack "$SRC/tests/data/vector_ops.12.60.7.bin"
"$FORGE_SIGNED" graft "$V1.aotpack" v1-swapped.aotpack v1-bad-payload.aotpack
expect_exit 4 "$AOTPACK" verify v1-bad-payload.aotpack --trusted "$V1.pub" && log_out
expect_in "not what key"
AOTPACK_TRUSTED_KEYS=$WORK/v1-trusted expect_exit 4 sim_pvc "$AOTPACK" load v1-bad-payload.aotpack && log_out
expect_in "not what key"

# The C API, through the Python module (ctypes): the archive is refused when opened. (Not in
# sanitizer builds: a sanitized library cannot be loaded into an unsanitized python.)
[ -n "${AOTPACK_SANITIZED:-}" ] || PYTHONPATH=$SRC/python AOTPACK_RT_LIBRARY=$AOTPACK_BINARY_DIR/src/runtime/libaotpack_rt.so.0 \
    AOTPACK_TRUSTED_KEYS=$WORK/trusted python3 - <<'PY' >&3 2>&1
import aotpack
aotpack.Archive("app.aotpack").get_arch_list()            # trusted: opens
for name in ("unsigned.aotpack", "merged.aotpack", "bad-signature.aotpack"):
    try:
        aotpack.Archive(name)
        raise SystemExit(name + " was opened under the policy")
    except aotpack.AotpackError as e:
        assert e.status == 9 and e.code == 4, (name, e.status, e.code)
PY

# Replay: a captured program served natively only from a trusted archive; otherwise it runs on
# its own JIT, output unchanged, with one line saying why.
for k in vector_ops reduce; do
    ocloc -spv_only -q -file "$SRC/examples/kernels/$k.cl" -device pvc -output "$k" -output_no_suffix
done
sim_pvc "$AOTPACK" capture -o cap -- "$ZEAPP" vector_ops.spv reduce.spv >/dev/null
"$AOTPACK" build -q -d pvc cap -o replay.aotpack
"$AOTPACK" build -q -d pvc cap -o replay-signed.aotpack --sign rel.key
"$AOTPACK" build -q -d pvc cap -o replay-other.aotpack --sign other.key
sim_pvc "$ZEAPP" vector_ops.spv reduce.spv >plain.out
run_replay() { # ARCHIVE: runs the program under replay with the policy on
    sim_pvc env AOTPACK_TRUSTED_KEYS="$WORK/trusted" AOTPACK_LOG=1 "$AOTPACK" run "$1" -- \
        "$ZEAPP" vector_ops.spv reduce.spv >replay.out 2>replay.log
    cat replay.log >&3
    diff plain.out replay.out >/dev/null || fail "$1: the program's output changed"
}
run_replay replay-signed.aotpack
[ "$(grep -c ': native ' replay.log)" = 2 ] || fail "trusted replay: $(cat replay.log)"
for archive in replay.aotpack replay-other.aotpack; do
    run_replay "$archive"
    grep -q ': native ' replay.log && fail "$archive served natively: $(cat replay.log)"
    [ "$(grep -c "warning: AOTPACK_ARCHIVE: '.*$archive'" replay.log)" = 1 ] ||
        fail "$archive: no single refusal line: $(cat replay.log)"
done

# No private key material in any output, report or archive.
exec 3>&-
for key in rel.key other.key; do
    secret=$(sed -n 2p "$key")
    [ -n "$secret" ] || fail "cannot read $key"
    ! grep -rqF --exclude="*.key" -- "$secret" . ||
        fail "$key's private key appears in: $(grep -rlF --exclude="*.key" -- "$secret" .)"
done
