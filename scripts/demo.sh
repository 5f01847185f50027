#!/usr/bin/env bash
# The main job on the bundled example kernels: build them for ATS-M and PVC into one archive,
# inspect it, then load it on simulated GPUs (the real NEO driver without hardware); then for
# PyTorch's 8 AOT targets with the toolchains setup.sh added (aotpack toolchain list).
set -euo pipefail
cd "$(dirname "$0")/.."
aotpack=$(realpath "${1:-build/tools/aotpack/aotpack}")
out=$(realpath -m build/demo)
mkdir -p "$out"
# The toolchains setup.sh added live in the user's store; the demo's caches in its own folder.
AOTPACK_TOOLCHAINS=${AOTPACK_TOOLCHAINS:-$("$aotpack" toolchain list --json |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["store"])')}
export AOTPACK_TOOLCHAINS AOTPACK_CACHE_DIR="$out/cache"

step() { if [ -t 1 ]; then printf '\n\033[1m$ %s\033[0m\n' "$*"; else printf '\n$ %s\n' "$*"; fi; "$@"; }

step "$aotpack" devices ats-m150,pvc
step "$aotpack" build -d ats-m150,pvc examples/kernels -o "$out/examples.aotpack" --json-report "$out/report.json"
step "$aotpack" build -d ats-m150,pvc examples/kernels -o "$out/examples.aotpack" # up to date: nothing runs
step "$aotpack" list "$out/examples.aotpack"
step "$aotpack" size "$out/examples.aotpack"
step "$aotpack" verify "$out/examples.aotpack"
step "$aotpack" toolchain list
step "$aotpack" devices @torch-xpu-linux
step "$aotpack" build -d @torch-xpu-linux examples/kernels -o "$out/torch-xpu.aotpack"
step "$aotpack" list "$out/torch-xpu.aotpack"

# Simulated devices write .aub files into the current directory: run them in a scratch folder.
cd "$out"
export NEOReadDebugKeys=1 SetCommandStreamReceiver=1
ProductFamilyOverride=pvc step "$aotpack" load examples.aotpack
ProductFamilyOverride=dg2 ForceDeviceId=0x56C0 OverrideRevision=8 step "$aotpack" load examples.aotpack
ProductFamilyOverride=tgllp step "$aotpack" load examples.aotpack
ProductFamilyOverride=tgllp step "$aotpack" load examples.aotpack # JIT cache hits
rm -f ./*.aub
echo
echo "demo: archives at $out/examples.aotpack and $out/torch-xpu.aotpack, build report at $out/report.json"
