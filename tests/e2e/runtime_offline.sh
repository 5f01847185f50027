#!/usr/bin/env bash
# The runtime's offline questions (select, coverage), answered from the archive and the device
# database without Level Zero.
source "$(dirname "$0")/common.sh"

"$AOTPACK" build -q -d ats-m150,pvc "$SRC/examples/kernels" -o k.aotpack

# Offline questions.
expect_exit 0 "$AOTPACK" select k.aotpack --device 0x56a5
expect_in "compatible  acm-g10"
expect_exit 9 "$AOTPACK" select k.aotpack --device tgllp --policy native-only
expect_exit 0 "$AOTPACK" coverage k.aotpack --json
python3 -c 'import json,sys; r={x["device"]:x for x in json.loads(sys.argv[1])}; assert r["pvc"]["native"]==3 and r["acm-g12"]["compatible"]==3 and r["tgllp"]["jit"]==3' "$OUT"
