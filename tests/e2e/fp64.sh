#!/usr/bin/env bash
# A module that needs fp64, built for a target without it (ATS-M): an error by default; with
# --fp64=poison the fp64 kernels are dropped for that target, with a warning, recorded in the archive.
source "$(dirname "$0")/common.sh"
cp "$SRC/tests/data/fp64.spv" fp64.spv

expect_exit 1 "$AOTPACK" build -d ats-m150,pvc fp64.spv -o out.aotpack
expect_in "module 'fp64' uses fp64, which acm-g10 (12.55.8) lacks; use --fp64=poison"
[ ! -e out.aotpack ] || fail "archive written"

expect_exit 0 "$AOTPACK" build -d ats-m150,pvc fp64.spv -o out.aotpack --fp64=poison
expect_in "warning: module 'fp64': fp64 kernel 'dadd' dropped for acm-g10"
"$AOTPACK" list out.aotpack --json > list.json
python3 - <<'PY'
import json
m = json.load(open("list.json"))["modules"][0]
b = {x["target"]: x for x in m["binaries"]}
assert b["acm-g10"]["dropped_kernels"] == "dadd", b
assert "dropped_kernels" not in b["pvc"], b
PY
# A cached rebuild gives the same archive, dropped kernels included.
expect_exit 0 "$AOTPACK" build -d ats-m150,pvc fp64.spv -o again.aotpack --fp64=poison
cmp out.aotpack again.aotpack || fail "cached rebuild differs"
