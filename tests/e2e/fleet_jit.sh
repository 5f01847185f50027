#!/usr/bin/env bash
# A fleet shares JIT results: AOTPACK_RUNTIME_REMOTE on a real nginx (WebDAV, write
# token). Node A JIT-compiles a SPIR-V-only archive once (`aotpack warm --upload`) and uploads;
# node B, with an empty cache and no token, loads every module from the fleet's results (no JIT);
# a GPU with another IP misses and JIT-compiles; results the driver rejects are a JIT; a trust
# policy ignores the fleet. Replay: a program JIT-compiled on one node (preload, upload on) is
# served on another. The token is never printed.
source "$(dirname "$0")/common.sh"
source "$SRC/tests/e2e/lib/cache_server.sh"
command -v ocloc >/dev/null || skip "ocloc is not installed"
: "${ZEAPP:?}"

token=fleet-t0ken-$RANDOM
start_nginx f "" "$token"
"$AOTPACK" build -q -d none "$SRC/examples/kernels" -o spv.aotpack
puts() { grep -c "PUT /cache/jit/" "$WORK/nginx-f/access.log" || true; }
kernels() { python3 -c 'import json,sys; [print(r["module"], r["kernels"]) for r in json.load(open(sys.argv[1]))]' "$1"; }

# Node A: warm --upload JIT-compiles and shares.
expect_exit 2 env AOTPACK_REMOTE_CACHE_TOKEN=$token "$AOTPACK" warm --upload spv.aotpack
expect_in "needs AOTPACK_RUNTIME_REMOTE"
expect_exit 2 env AOTPACK_RUNTIME_REMOTE="$URL_f" "$AOTPACK" warm --upload spv.aotpack
expect_in "needs the write token"
AOTPACK_CACHE_DIR=$WORK/node-a AOTPACK_RUNTIME_REMOTE="$URL_f" AOTPACK_REMOTE_CACHE_TOKEN=$token \
    expect_exit 0 sim_pvc "$AOTPACK" warm --upload spv.aotpack
expect_not_in "$token"
[ "$(puts)" = 3 ] || fail "3 uploads expected: $(puts)"
# Issue "What a new user trips over", item 18: the fleet is not silent. warm counts what it
# asked and sent; upload on without a token says so; a server that does not answer is said once
# (and per lookup under AOTPACK_LOG); results the driver rejects are logged.
expect_in "fleet's server: 3 lookup(s), 0 found, 0 unanswered; 3 upload(s), 0 failed"
AOTPACK_CACHE_DIR=$WORK/node-x AOTPACK_RUNTIME_REMOTE="$URL_f" AOTPACK_RUNTIME_REMOTE_UPLOAD=1 \
    expect_exit 0 sim_pvc "$AOTPACK" load spv.aotpack
expect_in "AOTPACK_RUNTIME_REMOTE_UPLOAD=1 but no write token"
AOTPACK_CACHE_DIR=$WORK/node-y AOTPACK_RUNTIME_REMOTE=http://127.0.0.1:9/x \
    expect_exit 0 sim_pvc env AOTPACK_LOG=1 "$AOTPACK" warm spv.aotpack
[ "$(grep -c "warning: the fleet's server (AOTPACK_RUNTIME_REMOTE) did not answer a lookup" <<<"$OUT")" = 1 ] ||
    fail "a down fleet server: one warning expected: $OUT"
[ "$(grep -c "aotpack: fleet: did not answer a lookup" <<<"$OUT")" = 3 ] || fail "no log lines: $OUT"
expect_in "fleet's server: 3 lookup(s), 0 found, 3 unanswered; 0 upload(s), 0 failed"
AOTPACK_CACHE_DIR=$WORK/node-a0 sim_pvc "$AOTPACK" load spv.aotpack --json >jit.json

# Node B: no JIT at all. It has the token (this nginx wants it for reads too) but does not upload.
export AOTPACK_REMOTE_CACHE_TOKEN=$token
AOTPACK_CACHE_DIR=$WORK/node-b AOTPACK_RUNTIME_REMOTE="$URL_f" \
    sim_pvc env AOTPACK_LOG=1 "$AOTPACK" load spv.aotpack --json >b.json 2>b.log
[ "$(grep -c "the fleet's JIT result" b.log)" = 3 ] || fail "not from the fleet: $(cat b.log)"
! grep -q ": jit (" b.log || fail "node B JIT-compiled: $(cat b.log)"
diff <(kernels jit.json) <(kernels b.json) || fail "other kernels from the fleet"
[ "$(puts)" = 3 ] || fail "a reader uploaded"
# A GPU with another IP: a miss, its own JIT.
AOTPACK_CACHE_DIR=$WORK/node-c AOTPACK_RUNTIME_REMOTE="$URL_f" \
    sim_tgl env AOTPACK_LOG=1 "$AOTPACK" load spv.aotpack >/dev/null 2>c.log
[ "$(grep -c ": jit (" c.log)" = 3 ] || fail "tgllp should JIT: $(cat c.log)"
# Under a trust policy the fleet is not used (nobody signed its results).
"$AOTPACK" keygen -o k >/dev/null && mkdir trusted && cp k.pub trusted/
"$AOTPACK" sign spv.aotpack --key k
AOTPACK_CACHE_DIR=$WORK/node-t AOTPACK_RUNTIME_REMOTE="$URL_f" AOTPACK_TRUSTED_KEYS=trusted \
    sim_pvc env AOTPACK_LOG=1 "$AOTPACK" load spv.aotpack >/dev/null 2>t.log
! grep -q "the fleet's JIT result" t.log || fail "a trust policy used the fleet: $(cat t.log)"

# OpenCL (the runtime's OpenCL API, `--api opencl`): node A warms and uploads, node B (empty
# cache) gets every program from the fleet, no JIT. The keys name the OpenCL driver's version,
# so OpenCL and Level Zero results never mix.
if [ -e /usr/lib/x86_64-linux-gnu/libOpenCL.so.1 ]; then
    before=$(puts)
    AOTPACK_CACHE_DIR=$WORK/cl-a AOTPACK_RUNTIME_REMOTE="$URL_f" \
        expect_exit 0 sim_pvc "$AOTPACK" warm --api opencl --upload spv.aotpack
    [ "$(puts)" = $((before + 3)) ] || fail "OpenCL: 3 uploads expected: $(($(puts) - before))"
    AOTPACK_CACHE_DIR=$WORK/cl-b AOTPACK_RUNTIME_REMOTE="$URL_f" \
        sim_pvc env AOTPACK_LOG=1 "$AOTPACK" load --api opencl spv.aotpack --json >clb.json 2>clb.log
    [ "$(grep -c "the fleet's JIT result" clb.log)" = 3 ] || fail "OpenCL: not from the fleet: $(cat clb.log)"
    ! grep -q ": jit (" clb.log || fail "OpenCL node B JIT-compiled: $(cat clb.log)"
fi

# Replay: the program JIT-compiles on node A (`aotpack run`, upload on) and is served on node B;
# the archive given to `run` does not hold its modules.
ocloc -spv_only -q -file "$SRC/examples/kernels/reduce.cl" -device pvc -output reduce -output_no_suffix
app=("$ZEAPP" reduce.spv "$SRC/tests/data/vector_ops.spv")
sim_pvc "${app[@]}" >plain.out
before=$(puts)
AOTPACK_RUNTIME_REMOTE="$URL_f" AOTPACK_RUNTIME_REMOTE_UPLOAD=1 AOTPACK_REMOTE_CACHE_TOKEN=$token \
    sim_pvc "$AOTPACK" run spv.aotpack -- "${app[@]}" >a.out
[ "$(puts)" = $((before + 2)) ] || fail "the replayed program's JIT results were not shared"
AOTPACK_RUNTIME_REMOTE="$URL_f" sim_pvc env AOTPACK_LOG=1 "$AOTPACK" run spv.aotpack -- "${app[@]}" \
    >b.out 2>replay.log
diff plain.out b.out >/dev/null || fail "replayed output differs"
[ "$(grep -c "the fleet's JIT result" replay.log)" = 2 ] || fail "not served: $(cat replay.log)"
# No archive at all: the fleet alone serves the program; without it, `run` needs an archive.
AOTPACK_RUNTIME_REMOTE="$URL_f" sim_pvc env AOTPACK_LOG=1 "$AOTPACK" run -- "${app[@]}" \
    >c.out 2>replay-no-archive.log || fail "run without an archive: $(cat replay-no-archive.log)"
diff plain.out c.out >/dev/null || fail "replayed output differs (no archive)"
[ "$(grep -c "the fleet's JIT result" replay-no-archive.log)" = 2 ] ||
    fail "not served without an archive: $(cat replay-no-archive.log)"
expect_exit 2 "$AOTPACK" run -- "${app[@]}"
expect_in "no archive (usage: aotpack run ARCHIVE..."

# Results the driver rejects (a corrupted server): JIT, same kernels.
for f in "$DATA_f"/jit/*; do printf 'not a zebin' >"$f"; done
AOTPACK_CACHE_DIR=$WORK/node-d AOTPACK_RUNTIME_REMOTE="$URL_f" \
    sim_pvc env AOTPACK_LOG=1 "$AOTPACK" load spv.aotpack --json >d.json 2>d.log
[ "$(grep -c ": jit (" d.log)" = 3 ] || fail "rejected results should JIT: $(cat d.log)"
[ "$(grep -c "fleet: the driver rejected result" d.log)" = 3 ] || fail "rejections not logged: $(cat d.log)"
diff <(kernels jit.json) <(kernels d.json) || fail "other kernels after rejected results"
echo "PASS: fleet_jit"
