#!/usr/bin/env bash
# Natives on demand: publish to a real nginx (WebDAV) on loopback, slim, and the
# runtime (`aotpack load`, i.e. libaotpack_rt) and replay (`aotpack run`) on the real NEO driver
# with simulated pvc, acm-g10 and tgllp: the first load fetches each native by hash (one GET each, counted in
# nginx's access log), later loads and `aotpack fetch` use the cache. Server down, 404, a stall,
# a truncated body and wrong bytes each end in a JIT load with the same kernels, and nothing bad
# is cached (the next load with a good server fetches again). Signed slim archives under a trust
# policy load fetched natives; an untrusted one is refused.
source "$(dirname "$0")/common.sh"
source "$SRC/tests/e2e/lib/cache_server.sh"
command -v ocloc >/dev/null || skip "ocloc is not installed"
: "${ZEAPP:?}"

"$AOTPACK" build -q -d pvc,acm-g10,tgllp "$SRC/examples/kernels" -o app.aotpack
start_nginx n
expect_exit 0 "$AOTPACK" publish app.aotpack --to "$URL_n"
expect_exit 0 "$AOTPACK" slim app.aotpack --natives-url "$URL_n" -o slim.aotpack
expect_exit 0 "$AOTPACK" list slim.aotpack
expect_in "format 1.3"
expect_in "pvc (on the server)"
[ "$(stat -c %s slim.aotpack)" -lt "$(( $(stat -c %s app.aotpack) / 2 ))" ] || fail "slim is not smaller"
expect_exit 2 "$AOTPACK" slim app.aotpack --natives-url "http://bob:secret@127.0.0.1/x" -o x.aotpack
expect_not_in "secret"

# kernels LOG: "module kernels" per line of an `aotpack load --json` output.
kernels() { python3 -c 'import json,sys; [print(r["module"], r["kernels"]) for r in json.load(open(sys.argv[1]))]' "$1"; }
sim_pvc "$AOTPACK" load app.aotpack --json >fat.json
gets() { grep -c "GET /cache/cas/" "$WORK/nginx-n/access.log" || true; }

# First load: three fetches; the second: none.
export AOTPACK_CACHE_DIR=$WORK/cache1
sim_pvc env AOTPACK_LOG=1 "$AOTPACK" load slim.aotpack --json >slim.json 2>load.log
[ "$(grep -c 'on the server; fetched)' load.log)" = 3 ] || fail "not fetched: $(cat load.log)"
[ "$(gets)" = 3 ] || fail "3 GETs expected: $(gets)"
diff <(kernels fat.json) <(kernels slim.json) || fail "the slim archive loads other kernels"
sim_pvc env AOTPACK_LOG=1 "$AOTPACK" load slim.aotpack >/dev/null 2>load.log
[ "$(grep -c 'fetched earlier' load.log)" = 3 ] || fail "not served from the cache: $(cat load.log)"
[ "$(gets)" = 3 ] || fail "a cached native was fetched again"

# acm-g10 and tgllp fetch their own binaries (three GETs each, into a fresh cache).
for device in sim_atsm sim_tgl; do
    export AOTPACK_CACHE_DIR=$WORK/cache-$device
    before=$(gets)
    "$device" env AOTPACK_LOG=1 "$AOTPACK" load slim.aotpack >/dev/null 2>"$device.log"
    [ "$(grep -c 'on the server; fetched)' "$device.log")" = 3 ] || fail "$device: $(cat "$device.log")"
    [ "$(gets)" = $((before + 3)) ] || fail "$device: 3 GETs expected"
done
grep -q "load reduce on tgllp (12.0.0): native (exact match for tgllp" sim_tgl.log || fail "$(cat sim_tgl.log)"

# A server without the compressed copies (cas/<sha256>.zst): the raw bytes after its 404.
start_nginx raw
mkdir -p "$DATA_raw/cas"
for f in "$DATA_n"/cas/*; do [[ $f == *.zst ]] || cp "$f" "$DATA_raw/cas/"; done
export AOTPACK_CACHE_DIR=$WORK/cache-raw
sim_pvc env AOTPACK_LOG=1 AOTPACK_NATIVES_URL="$URL_raw" "$AOTPACK" load slim.aotpack >/dev/null 2>raw.log
[ "$(grep -c 'on the server; fetched)' raw.log)" = 3 ] || fail "raw copies not fetched: $(cat raw.log)"
[ "$(grep -c 'GET /cache/cas/[0-9a-f]*\.zst HTTP/1.1" 404' "$WORK/nginx-raw/access.log")" = 3 ] ||
    fail "no .zst tried first: $(cat "$WORK/nginx-raw/access.log")"

# aotpack fetch, for a GPU that is not here (no driver needed), into a fresh cache.
export AOTPACK_CACHE_DIR=$WORK/cache2
expect_exit 0 "$AOTPACK" fetch slim.aotpack --device acm-g10
expect_in "fetched 3 native(s)"
expect_exit 0 "$AOTPACK" fetch slim.aotpack --device acm-g10
expect_in "fetched 0 native(s), 0 B; 3 already in"

# slim --remote-spirv: the SPIR-V stays on the server too (publish --spirv puts it there). A GPU
# with natives downloads only its natives; one without (tgllp, for a pvc-only archive) fetches
# the SPIR-V and JIT-compiles it, once; without the server it cannot, and says so.
"$AOTPACK" build -q -d pvc "$SRC/examples/kernels" -o pvc-only.aotpack
expect_exit 0 "$AOTPACK" publish pvc-only.aotpack --to "$URL_n" --spirv
expect_in "published 3 payload(s)" # the natives are there already: the 3 SPIR-V modules
expect_exit 0 "$AOTPACK" slim pvc-only.aotpack --natives-url "$URL_n" --remote-spirv -o bare.aotpack
expect_exit 0 "$AOTPACK" list bare.aotpack
expect_in "format 1.4"
expect_in "on the server"
spirv_gets() { # GETs of the SPIR-V modules' digests
    local n=0 f d
    for f in pvc-only-x/*.spv; do
        d=$(sha256sum "$f" | cut -c1-64)
        n=$((n + $(grep -c "GET /cache/cas/$d" "$WORK/nginx-n/access.log" || true)))
    done
    echo "$n"
}
"$AOTPACK" extract pvc-only.aotpack -o pvc-only-x >/dev/null
export AOTPACK_CACHE_DIR=$WORK/cache-bare
sim_pvc env AOTPACK_LOG=1 "$AOTPACK" load bare.aotpack >/dev/null 2>bare-pvc.log
[ "$(grep -c 'on the server; fetched)' bare-pvc.log)" = 3 ] || fail "$(cat bare-pvc.log)"
[ "$(spirv_gets)" = 0 ] || fail "a GPU with natives fetched SPIR-V"
sim_tgl env AOTPACK_LOG=1 "$AOTPACK" load bare.aotpack --json >bare-tgl.json 2>bare-tgl.log ||
    fail "tgllp: $(cat bare-tgl.log)"
[ "$(grep -c ': jit (' bare-tgl.log)" = 3 ] || fail "tgllp: not JIT-compiled: $(cat bare-tgl.log)"
[ "$(spirv_gets)" = 3 ] || fail "3 SPIR-V GETs expected: $(spirv_gets)"
sim_tgl "$AOTPACK" load pvc-only.aotpack --json >fat-tgl.json
diff <(kernels fat-tgl.json) <(kernels bare-tgl.json) || fail "tgllp: other kernels from remote SPIR-V"
export AOTPACK_CACHE_DIR=$WORK/cache-bare-fetch # at install time, for a GPU without natives
expect_exit 0 "$AOTPACK" fetch bare.aotpack --device tgllp
expect_in "fetched 0 native(s) and 3 SPIR-V module(s)"
export AOTPACK_CACHE_DIR=$WORK/cache-bare-down
expect_exit 7 sim_tgl env AOTPACK_NATIVES_URL="http://127.0.0.1:$(free_port)/cache" \
    AOTPACK_FETCH_TIMEOUT_MS=500 "$AOTPACK" load bare.aotpack
expect_in "its SPIR-V is on the server and fetching it failed"

# An archive of 16+ modules stores its natives with a trained dictionary (format 1.4): publish
# serves those frames as the .zst copies, the slim archive carries the dictionary and inflates
# them; a slim archive without it (a portable build of the same modules) takes the raw files.
mkdir many && kernels=(vector_ops reduce histogram)
for i in $(seq 0 15); do
    k=${kernels[$((i % 3))]}
    sed "s/__kernel void \([A-Za-z_0-9]*\)/__kernel void \1_$i/g" "$SRC/examples/kernels/$k.cl" >"many/${k}_$i.cl"
done
"$AOTPACK" build -q -d pvc many -o many.aotpack
"$AOTPACK" build -q -d pvc many -o many-portable.aotpack --compression portable
"$AOTPACK" publish many.aotpack --to "$URL_n" >/dev/null
"$AOTPACK" slim many.aotpack --natives-url "$URL_n" -o many-slim.aotpack
"$AOTPACK" slim many-portable.aotpack --natives-url "$URL_n" -o many-portable-slim.aotpack
zstd_frames_with_dictionary=$(for f in "$DATA_n"/cas/*.zst; do
    python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); print(1 if d[4] & 3 else 0)' "$f"; done | grep -c 1 || true)
[ "$zstd_frames_with_dictionary" -ge 16 ] || fail "no dictionary frames published ($zstd_frames_with_dictionary)"
raw_gets() { grep -c 'GET /cache/cas/[0-9a-f]* HTTP' "$WORK/nginx-n/access.log" || true; }
export AOTPACK_CACHE_DIR=$WORK/cache-many
before=$(raw_gets)
sim_pvc env AOTPACK_LOG=1 "$AOTPACK" load many-slim.aotpack >/dev/null 2>many.log || fail "$(cat many.log)"
[ "$(grep -c 'on the server; fetched)' many.log)" = 16 ] || fail "$(cat many.log)"
[ "$(raw_gets)" = "$before" ] || fail "the dictionary frames were not used: raw files fetched"
export AOTPACK_CACHE_DIR=$WORK/cache-many-portable
sim_pvc env AOTPACK_LOG=1 "$AOTPACK" load many-portable-slim.aotpack >/dev/null 2>many-p.log ||
    fail "$(cat many-p.log)"
[ "$(grep -c 'on the server; fetched)' many-p.log)" = 16 ] || fail "$(cat many-p.log)"
[ "$(raw_gets)" = $((before + 16)) ] || fail "without the dictionary, the raw files are fetched"

# jit_with NAME URL: a slim archive pointing at URL loads every module by JIT, with one log line
# per module saying why, the same kernels, and nothing cached: a later load from the good server
# fetches again.
jit_with() {
    local name=$1 url=$2
    "$AOTPACK" slim app.aotpack --natives-url "$url" -o "$name.aotpack" >/dev/null
    export AOTPACK_CACHE_DIR=$WORK/cache-$name
    sim_pvc env AOTPACK_LOG=1 AOTPACK_FETCH_TIMEOUT_MS=500 "$AOTPACK" load "$name.aotpack" --json \
        >"$name.json" 2>"$name.log" || fail "$name: the load failed: $(cat "$name.log")"
    [ "$(grep -c 'fetching the binary for pvc (12.60.7) failed' "$name.log")" = 3 ] ||
        fail "$name: no fallback line per module: $(cat "$name.log")"
    [ "$(grep -c ': jit (' "$name.log")" = 3 ] || fail "$name: not JIT-compiled: $(cat "$name.log")"
    diff <(kernels fat.json) <(kernels "$name.json") || fail "$name: other kernels"
    sim_pvc env AOTPACK_LOG=1 AOTPACK_NATIVES_URL="$URL_n" "$AOTPACK" load "$name.aotpack" \
        >/dev/null 2>"$name.again"
    [ "$(grep -c 'on the server; fetched)' "$name.again")" = 3 ] ||
        fail "$name: something was cached: $(cat "$name.again")"
    cat "$name.log" >>all-faults.log
}
jit_with down "http://127.0.0.1:$(free_port)/cache"
grep -q "Could not connect\|Couldn't connect\|Connection refused" down.log || fail "$(cat down.log)"
jit_with missing "$URL_n/nowhere"
grep -q "HTTP 404" missing.log || fail "$(cat missing.log)"
for mode in stall truncate wrong-blob; do
    name=${mode/-/_}
    start_fault_server "$name" "$mode"
    data=DATA_$name url=URL_$name
    mkdir -p "${!data}"
    cp -r "$DATA_n/cas" "${!data}/"
    jit_with "$name" "${!url}"
done
grep -q "Timeout was reached\|timed out" stall.log || fail "$(cat stall.log)"
grep -q "not the ones the archive pins" wrong_blob.log || fail "$(cat wrong_blob.log)"
# A server that did not answer is not asked again in the same process: one time limit in all.
[ "$(grep -c 'did not answer earlier' stall.log)" = 2 ] || fail "$(cat stall.log)"
[ "$(grep -c 'did not answer earlier' down.log)" = 2 ] || fail "$(cat down.log)"
# A server that answers (404) is asked for each module.
[ "$(grep -c 'HTTP 404' missing.log)" = 3 ] || fail "$(cat missing.log)"

# Replay: a captured program served natives fetched by hash.
ocloc -spv_only -q -file "$SRC/examples/kernels/reduce.cl" -device pvc -output reduce -output_no_suffix
unset AOTPACK_CACHE_DIR
export AOTPACK_CACHE_DIR=$WORK/cache-replay
sim_pvc "$AOTPACK" capture -o cap -- "$ZEAPP" reduce.spv "$SRC/tests/data/vector_ops.spv" >/dev/null
"$AOTPACK" build -q -d pvc cap -o cap.aotpack
"$AOTPACK" publish cap.aotpack --to "$URL_n" >/dev/null
"$AOTPACK" slim cap.aotpack --natives-url "$URL_n" -o cap-slim.aotpack
sim_pvc "$ZEAPP" reduce.spv "$SRC/tests/data/vector_ops.spv" >plain.out
sim_pvc env AOTPACK_LOG=1 "$AOTPACK" run cap-slim.aotpack -- "$ZEAPP" reduce.spv \
    "$SRC/tests/data/vector_ops.spv" >replay.out 2>replay.log
diff plain.out replay.out >/dev/null || fail "replayed output differs"
[ "$(grep -c 'cap-slim.aotpack, fetched (' replay.log)" = 2 ] || fail "not fetched in replay: $(cat replay.log)"

# Trust: a signed slim archive pins the digests; under a policy it loads its fetched
# natives, and an archive signed by another key is refused as a whole.
"$AOTPACK" keygen -o k1 >/dev/null
"$AOTPACK" keygen -o k2 >/dev/null
mkdir trusted && cp k1.pub trusted/
"$AOTPACK" slim app.aotpack --natives-url "$URL_n" -o signed.aotpack --sign k1
"$AOTPACK" slim app.aotpack --natives-url "$URL_n" -o other.aotpack --sign k2
export AOTPACK_CACHE_DIR=$WORK/cache-trust
sim_pvc env AOTPACK_LOG=1 AOTPACK_TRUSTED_KEYS=trusted "$AOTPACK" load signed.aotpack >/dev/null 2>trust.log
[ "$(grep -c 'on the server; fetched)' trust.log)" = 3 ] || fail "trusted slim: $(cat trust.log)"
expect_exit 4 sim_pvc env AOTPACK_TRUSTED_KEYS=trusted "$AOTPACK" load other.aotpack
expect_in "no trusted key signed it"
echo "PASS: fetch_natives"
