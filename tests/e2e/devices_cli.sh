#!/usr/bin/env bash
# `aotpack devices`: the issue's examples, against the installed ocloc.
source "$(dirname "$0")/common.sh"

expect_exit 0 "$AOTPACK" devices ats-m150,pvc --json
python3 - "$OUT" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
assert [t["ip"] for t in d["targets"]] == ["12.55.8", "12.60.7"], d
assert d["targets"][0]["name"] == "acm-g10" and d["targets"][0]["supported_by_ocloc"] is True
PY

expect_exit 0 "$AOTPACK" devices acm-g10,ats-m150,dg2-g10 --json
[ "$(python3 -c 'import json,sys; print(len(json.loads(sys.argv[1])["targets"]))' "$OUT")" = 1 ] || fail "aliases not collapsed"

expect_exit 0 "$AOTPACK" devices 0x56C0
expect_in "acm-g10  12.55.8"

expect_exit 0 "$AOTPACK" devices xe-hpg:xe-hpc --json
python3 - "$OUT" <<'PY'
import json, sys
ips = [t["ip_value"] for t in json.loads(sys.argv[1])["targets"]]
assert ips == sorted(ips) and len(ips) == 5, ips
PY

# An explanation, not a build: exit 0, the OCLOC column and one summary line.
expect_exit 0 "$AOTPACK" devices bmg
expect_in "1 of 1 target(s) cannot be built by the installed ocloc 22.43"
expect_not_in "aotpack: error"

expect_exit 2 "$AOTPACK" devices ats-m150,pvcc
expect_in "aotpack: error: unknown device 'pvcc' in device list 'ats-m150,pvcc' (did you mean 'pvc'?)"

expect_exit 0 "$AOTPACK" devices
expect_in "ats-m150"
expect_in "@ipex-default"

expect_exit 0 "$AOTPACK" --help
expect_in "Exit codes:"
