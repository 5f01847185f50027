#!/usr/bin/env bash
# Several builds sharing one cache at once give the same archive as a serial build and leave no bad
# entry; several processes sharing one JIT cache all load; many threads load modules at once.
source "$(dirname "$0")/common.sh"
k=$SRC/examples/kernels
builders=${BUILDERS:-4}

"$AOTPACK" build -q -d ats-m150,pvc,acm-g11 "$k" -o serial.aotpack --cache-dir serialcache
for i in $(seq 1 "$builders"); do
    "$AOTPACK" build -q -d ats-m150,pvc,acm-g11 "$k" -o "par$i.aotpack" --cache-dir shared -j1 &
done
wait
for i in $(seq 1 "$builders"); do
    cmp serial.aotpack "par$i.aotpack" || fail "concurrent build $i differs from the serial one"
done
expect_exit 0 "$AOTPACK" cache verify --cache-dir shared
expect_in "bad entries removed: 0"
# A damaged entry is found and removed, with verify's own exit code (10), not "bad archive" (4).
entry=$(find shared/v1 -type f -name '*.zebin' | head -1)
[ -n "$entry" ] || fail "no zebin entry in the shared cache"
printf 'x' >>"$entry"
expect_exit 10 "$AOTPACK" cache verify --cache-dir shared
expect_in "bad entries removed: 1"
expect_exit 0 "$AOTPACK" cache verify --cache-dir shared

for i in 1 2 3 4; do sim_tgl "$AOTPACK" load serial.aotpack --json > "load$i.json" & done
wait
for i in 1 2 3 4; do
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert len(r)==3 and all(x["source"] in ("jit","jit-cache") for x in r)' "load$i.json"
done
expect_exit 0 "$AOTPACK" cache verify --cache-dir cache/jit
expect_in "bad entries removed: 0"

expect_exit 0 sim_pvc "$THREADED_LOAD" serial.aotpack 8 20
expect_in "loads: 480, failed: 0"
# Natives stored with a trained dictionary (format 1.4): the archive's dictionary is read and
# digested once, by whichever thread needs it first.
expect_exit 0 sim_pvc "$THREADED_LOAD" "$SRC/tests/data/golden/many-16.aotpack" 8 4
expect_in "loads: 512, failed: 0"
rm -rf cache/jit
expect_exit 0 sim_tgl "$THREADED_LOAD" serial.aotpack 8 2
expect_in "loads: 48, failed: 0"
expect_exit 0 "$AOTPACK" cache verify --cache-dir cache/jit
