#!/usr/bin/env bash
# add-targets compiles the archive's own SPIR-V for a new GPU: no sources needed.
source "$(dirname "$0")/common.sh"

"$AOTPACK" build -q -d pvc "$SRC/examples/kernels" --options -cl-mad-enable -o shipped.aotpack
expect_exit 0 "$AOTPACK" add-targets shipped.aotpack -d acm-g11,pvc -o more.aotpack
expect_in "warning: target pvc is already in 'shipped.aotpack'"
[ "$("$AOTPACK" list --targets more.aotpack)" = "$(printf 'acm-g11\npvc')" ] || fail "targets"
"$AOTPACK" verify more.aotpack
"$AOTPACK" list more.aotpack --json > l.json
python3 - <<'PY'
import json
l = json.load(open("l.json"))
assert l["metadata"]["devices.input"] == "pvc + acm-g11,pvc", l["metadata"]
for m in l["modules"]:
    b = {x["target"]: x for x in m["binaries"]}
    assert b["acm-g11"]["options"] == "-cl-mad-enable", b   # built like the original
PY
# The new binary is the one a direct build makes.
"$AOTPACK" build -q -d acm-g11,pvc "$SRC/examples/kernels" --options -cl-mad-enable -o direct.aotpack
"$AOTPACK" extract more.aotpack -o a && "$AOTPACK" extract direct.aotpack -o b
diff -r a b || fail "add-targets output differs from a direct build"
