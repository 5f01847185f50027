#!/usr/bin/env bash
# SIGKILL at random points: build, merge and add-targets leave the output absent, the previous
# file or a complete new one; the cache holds only entries that verify; the next run succeeds and
# is byte-identical to an uninterrupted one. KILLS (default 20) sets the number of kills per command.
source "$(dirname "$0")/common.sh"
kills=${KILLS:-20}
k=$SRC/examples/kernels

"$AOTPACK" build -q -d ats-m150,pvc "$k" -o ref.aotpack --cache-dir refcache
"$AOTPACK" build -q -d pvc "$k" -o previous.aotpack --cache-dir refcache
"$AOTPACK" build -q -d acm-g11 "$k" -o g11.aotpack --cache-dir refcache
"$AOTPACK" merge ref.aotpack g11.aotpack -o ref-merged.aotpack
"$AOTPACK" add-targets ref.aotpack -d acm-g11 -o ref-added.aotpack --cache-dir refcache

# kill_randomly OUTPUT REFERENCE CMD...: runs CMD, SIGKILLs it after 0-1.2 s, checks OUTPUT.
survived=0
kill_randomly() {
    local output=$1 reference=$2; shift 2
    cp previous.aotpack "$output"
    "$@" >/dev/null 2>&1 & local pid=$!
    sleep "$((RANDOM % 2)).$((RANDOM % 10))$((RANDOM % 10))"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    cmp -s "$output" previous.aotpack || cmp -s "$output" "$reference" ||
        fail "after a kill '$output' is neither the previous nor the complete new archive"
    "$AOTPACK" cache verify --cache-dir cache >/dev/null || fail "the cache held an entry that does not verify"
    survived=$((survived + 1))
}

for i in $(seq 1 "$kills"); do
    [ $((i % 5)) = 1 ] && rm -rf cache # kill in cold builds too, not only in cache hits
    kill_randomly out.aotpack ref.aotpack "$AOTPACK" build -q -d ats-m150,pvc "$k" -o out.aotpack --cache-dir cache
    kill_randomly merged.aotpack ref-merged.aotpack "$AOTPACK" merge ref.aotpack g11.aotpack -o merged.aotpack
    kill_randomly added.aotpack ref-added.aotpack "$AOTPACK" add-targets ref.aotpack -d acm-g11 -o added.aotpack --cache-dir cache
done
"$AOTPACK" build -q -d ats-m150,pvc "$k" -o out.aotpack --cache-dir cache
cmp out.aotpack ref.aotpack || fail "the build after the kills differs from an uninterrupted one"
"$AOTPACK" add-targets ref.aotpack -d acm-g11 -o added.aotpack --cache-dir cache
cmp added.aotpack ref-added.aotpack || fail "add-targets after the kills differs"
echo "crash_consistency: $survived kills survived"

# The runtime's JIT cache: loads killed mid-JIT leave no bad entry, and the next load works.
for i in $(seq 1 10); do
    sim_tgl "$AOTPACK" load ref.aotpack >/dev/null 2>&1 & pid=$!
    sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    "$AOTPACK" cache verify --cache-dir cache/jit >/dev/null || fail "bad JIT cache entry after a kill"
done
expect_exit 0 sim_tgl "$AOTPACK" load ref.aotpack
