# Sourced by tests of the toolchain store (after common.sh). Debian's development suite changes:
# when it cannot provide what a test needs today, the test is skipped (said, not passed).
#
# add_sid_toolchain ID_PREFIX MISSING ARGS...: `aotpack toolchain add debian:sid ARGS...`.
# Skips when the add exits 11 saying MISSING (the suite has no such package), fails on any other
# error; sets ADD to the add's output and ADDED_ID to the id on its line starting with ID_PREFIX.
add_sid_toolchain() {
    local prefix=$1 missing=$2 rc
    shift 2
    set +e
    ADD=$("$AOTPACK" toolchain add debian:sid "$@" 2>&1)
    rc=$?
    set -e
    if [ "$rc" = 11 ] && grep -qF -- "$missing" <<<"$ADD"; then
        skip "Debian's sid cannot provide it today: $ADD"
    fi
    [ "$rc" = 0 ] || fail "toolchain add debian:sid $* exited $rc: $ADD"
    ADDED_ID=$(awk -F: -v p="$prefix" 'index($0, p) == 1 {print $1; exit}' <<<"$ADD")
    [ -n "$ADDED_ID" ] || fail "no toolchain id starting with '$prefix' in: $ADD"
}
