#!/usr/bin/env bash
# Many ocloc calls at once through the shim, as a build system starts them: never more compiles
# at a time than the machine-wide cap (AOTPACK_OCLOC_JOBS), nor than make's jobserver allows;
# every output still identical to the real ocloc's.
source "$(dirname "$0")/common.sh"

REAL=$(command -v ocloc) || skip "ocloc is not installed"
export PATH="$("$AOTPACK" ocloc --shim-dir):$PATH"

# Eight different modules (a constant differs), so no call is a cache hit of another.
for i in 1 2 3 4 5 6 7 8; do
    printf '__kernel void k(__global float* x){ size_t i = get_global_id(0); x[i] = x[i] * %d.5f + sin(x[i]); }\n' "$i" >k$i.cl
    "$REAL" -spv_only -q -file k$i.cl -device pvc -output k$i -output_no_suffix
done

# The largest number of compiles the reports in $1 show running at the same time.
max_overlap() {
    python3 - "$1" <<'EOF'
import json, pathlib, sys
events = []
for f in pathlib.Path(sys.argv[1]).glob("*.json"):
    for t in json.loads(f.read_text())["targets"]:
        if t["result"] == "compiled":
            events += [(t["started"], 1), (t["started"] + t["seconds"], -1)]
now = peak = 0
for _, delta in sorted(events, key=lambda e: (e[0], e[1])):
    now += delta
    peak = max(peak, now)
print(peak)
EOF
}

# 1. Eight calls side by side, cap 2.
mkdir reports1
for i in 1 2 3 4 5 6 7 8; do
    AOTPACK_OCLOC_JOBS=2 AOTPACK_OCLOC_REPORT=$WORK/reports1 \
        ocloc compile -file k$i.spv -spirv_input -device acm-g10,pvc,tgllp -q &
done
wait
compiles=$(cat reports1/*.json | grep -c '"compiled"' || true)
[ "$compiles" -ge 24 ] || fail "expected 24 compiles in the reports, found $compiles"
peak=$(max_overlap reports1)
[ "$peak" -le 2 ] || fail "$peak compiles ran at once under a cap of 2"
for i in 1 2 3 4 5 6 7 8; do
    (mkdir -p real$i && cd real$i && "$REAL" compile -file ../k$i.spv -spirv_input -device acm-g10,pvc,tgllp -q)
    cmp k$i.ar real$i/k$i.ar || fail "k$i.ar differs from the real ocloc's"
done
echo "8 calls, cap 2: at most $peak compiles at once"

# 2. Under make -j2 with a high cap: the jobserver, not the cap, bounds the calls to 2 compiles.
"$AOTPACK" cache clean >/dev/null
rm -f k*.ar
mkdir reports2
{
    echo "all: $(for i in 1 2 3 4; do printf 'k%d.ar ' "$i"; done)"
    for i in 1 2 3 4; do
        printf 'k%d.ar:\n\t+ocloc compile -file k%d.spv -spirv_input -device acm-g10,pvc,tgllp,dg1 -q\n' "$i" "$i"
    done
} >Makefile
AOTPACK_OCLOC_JOBS=16 AOTPACK_OCLOC_REPORT=$WORK/reports2 make -s -j2 >make.log 2>&1 ||
    fail "make failed: $(cat make.log)"
peak=$(max_overlap reports2)
[ "$peak" -le 2 ] || fail "$peak compiles ran at once under make -j2"
echo "make -j2, 4 calls x 4 targets: at most $peak compiles at once"
echo "PASS: $TEST_NAME"
