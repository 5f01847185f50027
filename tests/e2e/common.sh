# Sourced by every end-to-end test. Gives: $AOTPACK (the binary), $SRC (repository), $WORK (a
# scratch directory, removed on exit; simulated GPUs write .aub files there), and helpers.
set -euo pipefail
: "${AOTPACK:?run through ctest}" "${AOTPACK_SOURCE_DIR:?}"
SRC=$AOTPACK_SOURCE_DIR
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
export AOTPACK_CACHE_DIR=$WORK/cache NO_COLOR=1
TEST_NAME=$(basename "$0" .sh)
trap 'echo "FAIL: $TEST_NAME line $LINENO: $BASH_COMMAND" >&2' ERR

fail() { echo "FAIL: $TEST_NAME: $*" >&2; exit 1; }
skip() { echo "SKIP: $TEST_NAME: $*"; exit 125; }

# expect_exit CODE CMD...: runs CMD, stores stdout+stderr in $OUT, checks the exit code.
expect_exit() {
    local want=$1; shift
    set +e
    OUT=$("$@" 2>&1)
    local got=$?
    set -e
    [ "$got" = "$want" ] || fail "'$*' exited $got, expected $want; output:
$OUT"
}

# expect_in TEXT: $OUT contains TEXT.
expect_in() { grep -qF -- "$1" <<<"$OUT" || fail "expected '$1' in:
$OUT"; }
expect_not_in() { ! grep -qF -- "$1" <<<"$OUT" || fail "did not expect '$1' in:
$OUT"; }

# Simulated GPUs (the real NEO driver without hardware). DisableDeepBind=1: NEO otherwise dlopens
# IGC with RTLD_DEEPBIND, which the sanitizer runtimes refuse; with it the ASan, UBSan and TSan
# builds run every test that loads the driver.
sim() { env NEOReadDebugKeys=1 DisableDeepBind=1 SetCommandStreamReceiver=1 "$@"; }
sim_pvc() { sim ProductFamilyOverride=pvc "$@"; }
sim_atsm() { sim ProductFamilyOverride=dg2 ForceDeviceId=0x56C0 OverrideRevision=8 "$@"; }
sim_a380() { sim ProductFamilyOverride=dg2 ForceDeviceId=0x56A5 OverrideRevision=5 "$@"; }
sim_tgl() { sim ProductFamilyOverride=tgllp "$@"; }


# corrupt_payloads ARCHIVE: flips one byte inside every zstd frame (every compressed payload);
# the header and the index stay intact, so only payload checksums can tell.
corrupt_payloads() {
    python3 - "$1" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
i = data.find(b"\x28\xb5\x2f\xfd")
while i != -1:
    data[i + 40] ^= 0xFF
    i = data.find(b"\x28\xb5\x2f\xfd", i + 4)
open(sys.argv[1], "wb").write(data)
PY
}
