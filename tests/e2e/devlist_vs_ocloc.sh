#!/usr/bin/env bash
# The database agrees with the installed ocloc: `ocloc ids NAME` gives the IP devlists/ records for
# every device ocloc knows, and every IP ocloc lists for a release or family is in the database.
source "$(dirname "$0")/common.sh"
command -v ocloc >/dev/null || skip "ocloc not installed"

"$AOTPACK" devices --json > devices.json
python3 - <<'PY'
import json, subprocess
db = json.load(open("devices.json"))
checked = 0
for d in db["devices"]:
    if not d["supported_by_ocloc"]:
        continue
    for name in [d["name"]] + d["aliases"]:
        r = subprocess.run(["ocloc", "ids", name], capture_output=True, text=True)
        if r.returncode != 0:
            continue  # a name this ocloc does not know (newer alias); the IP is checked through another
        ids = [l.strip() for l in r.stdout.splitlines() if l.strip() and l[0].isdigit()]
        assert d["ip"] in ids, f"ocloc ids {name} gives {ids}, devlists/ says {d['ip']}"
        checked += 1
        break
assert checked >= 20, checked
print("checked", checked, "devices against ocloc ids")
PY
# Every stepping ocloc 22.43 knows is a target of the database (devices accepts each IP).
for group in gen8 gen9 gen11 gen12lp xe; do
    for ip in $(ocloc ids "$group" | grep -E '^[0-9]'); do
        expect_exit 0 "$AOTPACK" devices "$ip"
    done
done
