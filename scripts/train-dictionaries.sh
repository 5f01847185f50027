#!/usr/bin/env bash
# Regenerates data/dictionaries: the zstd dictionaries a build compresses payloads with
# (archive/dictionary.h, docs/FORMAT.md "Dictionaries"), one per GPU architecture (release) for
# native binaries and one for SPIR-V, trained on real zebins and SPIR-V from ocloc.
#
#   scripts/train-dictionaries.sh [BUILD_DIR]      (default: build; needs aotpack built there)
#
# Corpus: Debian piglit's OpenCL test programs at odd positions in path order (bench/run.py's
# piglit sets take every 8th and every 2nd from the first, so the benchmark never measures a
# program the dictionaries were trained on), built for one device of each release: the releases
# Debian 12's ocloc 22.43 builds (xe-lp, xe-hpg, xe-hpc, and the SPIR-V) by that compiler
# (`--toolchain host`, so they stay what they were), the newer ones (xe-lpg, xe2-hpg, xe2-lpg,
# xe3-lpg) by the newest toolchain of aotpack's store (`aotpack toolchain add debian:sid`).
# A dictionary's id is derived from its content (zstd's ids below 32768 are
# reserved), so retrained dictionaries never share an id with older ones: archives that used
# either still merge.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
AOTPACK=$(realpath "${1:-$ROOT/build}")/tools/aotpack/aotpack
PIGLIT=/usr/lib/x86_64-linux-gnu/piglit
OUT=$ROOT/data/dictionaries
SIZE=8192 # measured: 8 KiB stores piglit's set smallest counting the dictionary (BENCHMARKS.md)
declare -A DEVICE=([xe-lp]=tgllp [xe-hpg]=acm-g10 [xe-hpc]=pvc)
declare -A NEWER=([xe-lpg]=mtl-h [xe2-hpg]=bmg-g21 [xe2-lpg]=lnl-m [xe3-lpg]=ptl-h)
[ -x "$AOTPACK" ] || { echo "train-dictionaries: build aotpack first ($AOTPACK)" >&2; exit 2; }
[ -d "$PIGLIT" ] || { echo "train-dictionaries: needs Debian's piglit package" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$PIGLIT" >"$work/manifest.json" <<'PY'
import json, sys
from pathlib import Path
sources = sorted(p for p in Path(sys.argv[1]).rglob("*.cl") if "/build/fail/" not in str(p)
                 and "double" not in p.read_text(errors="replace"))
modules = []
for source in sources[1::2]:
    header = source.read_text(errors="replace").split("!*/", 1)[0]
    options = ["-cl-std=CL2.0"] if "clc_version_min: 20" in header else []
    options += [l.split(":", 1)[1].strip() for l in header.splitlines() if l.startswith("build_options:")]
    modules.append({"source": str(source), "options": " ".join(options)})
json.dump({"modules": modules}, sys.stdout)
PY
# --compression portable: the corpus archive itself must not depend on the old dictionaries.
# -k: a few programs do not build for some targets (fp64); their errors go to a log.
corpus() { # NAME DEVICES TOOLCHAIN
    "$AOTPACK" build -q -k --no-cache --compression portable -d "$2" --toolchain "$3" \
        --manifest "$work/manifest.json" -o "$work/$1.aotpack" 2>"$work/$1.log" ||
        echo "train-dictionaries: $(grep -c 'aotpack: error' "$work/$1.log") build error(s), left out"
    "$AOTPACK" extract "$work/$1.aotpack" -o "$work/corpus" >/dev/null
}
corpus newer "$(IFS=,; echo "${NEWER[*]}")" \
    "$("$AOTPACK" toolchain list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["toolchains"][0]["id"])')"
corpus old "$(IFS=,; echo "${DEVICE[*]}")" host # last: its SPIR-V is the one kept
for release in "${!NEWER[@]}"; do DEVICE[$release]=${NEWER[$release]}; done

train() { # NAME FILES...: trains, then gives the dictionary its content-derived id
    local name=$1; shift
    zstd -q -f --train "$@" --maxdict=$SIZE -o "$work/$name.zdict"
    python3 - "$work/$name.zdict" "$OUT/$name.zdict" <<'PY'
import hashlib, sys
d = bytearray(open(sys.argv[1], "rb").read())
assert d[:4] == bytes.fromhex("37a430ec"), "not a zstd dictionary"
h = int.from_bytes(hashlib.sha256(bytes(d[8:])).digest()[:4], "little")
d[4:8] = (32768 + h % (2**31 - 32768)).to_bytes(4, "little")
open(sys.argv[2], "wb").write(d)
PY
    echo "train-dictionaries: $name.zdict from $# files"
}
mkdir -p "$OUT"
for release in "${!DEVICE[@]}"; do
    ip=$("$AOTPACK" devices "${DEVICE[$release]}" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["targets"][0]["ip"])')
    train "$release" "$work"/corpus/*."$ip".bin
done
train spirv "$work"/corpus/*.spv
