#!/usr/bin/env bash
# A remote cache that fails never fails a build, never slows it much and never gets a bad blob
# into an archive or the local cache: a server that stalls past the timeout, answers 500, cuts
# bodies short, serves wrong bytes or garbage records, asks to slow down (429), has a full disk,
# or is stopped in the middle of a build; and eight builders sharing one nginx at once.
source "$(dirname "$0")/common.sh"
source "$SRC/tests/e2e/lib/cache_server.sh"

devices=pvc,acm-g10,acm-g11,tgllp
kernels=("$SRC"/examples/kernels/*.cl)
# same_as_ref NAME: the archive is the local build's, and the local cache holds nothing bad.
same_as_ref() {
    cmp ref.aotpack "$1.aotpack" || fail "$1: the archive differs from a build without a cache"
    AOTPACK_CACHE_DIR=$WORK/local-$1 "$AOTPACK" cache verify >/dev/null ||
        fail "$1: the local cache holds a bad entry"
}

build_with ref ref.aotpack --no-cache
start_nginx warm
build_with warm warm.aotpack --remote-cache "$URL_warm"

# fault MODE: a fault server holding the warm server's entries; a build from an empty local cache.
fault() {
    local mode=$1 name=${1//-/_}; shift
    mkdir -p "$WORK/fault-$name"
    cp -r "$DATA_warm" "$WORK/fault-$name/"
    start_fault_server "$name" "$mode"
    local url=URL_$name
    set +e
    OUT=$(build_with "$mode" "$mode.aotpack" --remote-cache "${!url}" "$@" 2>&1)
    local code=$?
    set -e
    [ $code = 0 ] || fail "$mode: the build failed ($code): $OUT"
    same_as_ref "$mode"
}
stat_of() { json "$1.aotpack.json" "d['remote_cache']['$2']"; }

# Stalls past a 1 s timeout: one warning, marked down, the build goes on at local speed.
AOTPACK_REMOTE_CACHE_TIMEOUT=1 fault stall
expect_in "is not answering"
[ "$(grep -c "is not answering" <<<"$OUT")" = 1 ] || fail "one warning expected: $OUT"
[ "$(stat_of stall timeouts)" -ge 1 ] && [ "$(stat_of stall marked_down)" = True ] ||
    fail "stall: timeouts not counted"
# Counted, not timed: after a few timeouts the server is marked down and asked nothing more, so
# the stall costs a bounded number of timeouts whatever the machine's speed.
echo "stall: $(stat_of stall timeouts) timeout(s) before the server was marked down"
[ "$(stat_of stall timeouts)" -le 4 ] || fail "a stalled server was asked on and on: $(stat_of stall timeouts) timeouts"

fault error500
[ "$(stat_of error500 errors)" -ge 3 ] && [ "$(stat_of error500 marked_down)" = True ] ||
    fail "500s not counted"

fault truncate
[ "$(stat_of truncate errors)" -ge 1 ] && [ "$(stat_of truncate hits)" = 0 ] ||
    fail "truncated bodies must be errors, never hits"

fault wrong-blob
expect_in "does not match its digest"
[ "$(stat_of wrong-blob corrupt)" -ge 1 ] && [ "$(stat_of wrong-blob hits)" = 0 ] ||
    fail "a wrong blob was used"

fault garbage-ac
[ "$(stat_of garbage-ac corrupt)" -ge 12 ] && [ "$(stat_of garbage-ac hits)" = 0 ] ||
    fail "garbage records must be misses"

fault flaky429 # every path answers 429 once: retries with backoff turn them into hits
[ "$(job_hits flaky429.aotpack.json)" = 12 ] && [ "$(stat_of flaky429 errors)" = 0 ] ||
    fail "429 must be retried: $(cat flaky429.aotpack.json | head -40)"

rm -rf "$DATA_warm"/* # nothing to hit: every result is uploaded, to a full disk
fault full
[ "$(stat_of full upload_errors)" -ge 1 ] && [ "$(stat_of full uploads)" = 0 ] ||
    fail "507 must be an upload error"

# A real nginx whose disk is full after a few blobs (a 48 KiB tmpfs; root only): its uploads
# fail, the build does not, and what it did store is whole.
if small_disk "$WORK/nginx-disk/data" 48; then
    start_nginx disk
    build_with disk disk.aotpack --remote-cache "$URL_disk" 2>disk.err
    same_as_ref disk
    [ "$(stat_of disk upload_errors)" -ge 1 ] || fail "a full disk should fail uploads"
    stored=$(no_bad_blobs "$DATA_disk")
    echo "full disk: $stored blob(s) stored whole, $(stat_of disk upload_errors) upload error(s)"
else
    echo "note: cannot mount a tmpfs here (not root?): the real full-disk case was not run"
fi

# The server stops in the middle of a cold build: the build finishes, nothing on the server is
# corrupt, and what was uploaded before the stop is used next time.
start_nginx mid
AOTPACK_CACHE_DIR=$WORK/local-mid1 "$AOTPACK" build -d $devices "${kernels[@]}" -o mid1.aotpack \
    -j1 --remote-cache "$URL_mid" --json-report mid1.aotpack.json >mid1.log 2>&1 &
pid=$!
# The stop comes after the 4th of 12 jobs, seen in the build's progress (an event, not a time).
until grep -q '\[4/12\]' mid1.log || ! kill -0 $pid 2>/dev/null; do sleep 0.05; done
grep -q '\[4/12\]' mid1.log || fail "the build ended before its 4th job: $(cat mid1.log)"
stop_nginx mid
wait $pid || fail "the build failed when the server stopped: $(cat mid1.log)"
same_as_ref mid1
uploaded=$(no_bad_blobs "$DATA_mid")
echo "uploaded before the stop: $uploaded blob(s), $(ls "$DATA_mid/ac" 2>/dev/null | wc -l) record(s)"

# Eight builders at once, separate local caches, one server: identical archives, nothing corrupt.
start_nginx many
pids=()
for i in 1 2 3 4 5 6 7 8; do
    build_with "many$i" "many$i.aotpack" --remote-cache "$URL_many" -q &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "one of eight builders failed"; done
for i in 1 2 3 4 5 6 7 8; do same_as_ref "many$i"; done
[ "$(no_bad_blobs "$DATA_many")" -ge 12 ] || fail "the eight builders uploaded nothing"
build_with many9 many9.aotpack --remote-cache "$URL_many"
[ "$(job_hits many9.aotpack.json)" = 12 ] || fail "after eight builders, a ninth should hit every job"
echo "PASS: remote_cache_faults"
