#!/usr/bin/env bash
# LLVM-to-SPIR-V translators in the toolchain store: device bitcode written by clang 22 (a
# clang-offload-bundler fat object in an ar library, as SYCL static libraries ship device code)
# needs llvm-spirv-22, which Debian 12 does not have. Without it capture names the `toolchain add`
# that gets it; `toolchain add debian:sid --translator 22` fetches llvm-spirv-22 and its libraries
# from Debian's development suite through this machine's mirror, unpacked beside the host's and
# run with its own loader; capture then translates the bitcode with it (byte for byte what the
# store's llvm-spirv writes when run by hand), and the SPIR-V builds for acm-g10 and pvc. A
# translator routes no target; it is locked, re-added from a lock and removed like a compiler.
source "$(dirname "$0")/common.sh"
source "$SRC/tests/e2e/lib/offload_inputs.sh"
source "$SRC/tests/e2e/lib/store_toolchain.sh"
for tool in clang-22 clang-offload-bundler-22 apt-get ar; do
    command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/setup.sh installs it)"
done
export AOTPACK_TOOLCHAINS=$WORK/store

spir_bitcode clang-22 reduce22.bc
host_object h.o
clang-offload-bundler-22 -type=o -targets=host-x86_64-unknown-linux-gnu-,openmp-spirv64-intel-unknown-unknown- \
    -input=h.o -input=reduce22.bc -output=fat22.o
ar rcs libk22.a fat22.o

# No translator reads LLVM 22's bitcode: the error names the command that gets one.
expect_exit 9 "$AOTPACK" capture --from-binary libk22.a -o none
expect_in "it needs llvm-spirv-22 or newer (aotpack toolchain add debian:sid --translator 22"
[ ! -e none ] || fail "a capture directory was made for bitcode nothing read"

add_sid_toolchain llvm-spirv-22- "cannot provide llvm-spirv-22" --translator 22
id=$ADDED_ID
grep -q "LLVM bitcode of LLVM <= 22 -> SPIR-V" <<<"$ADD" || fail "add did not say what it is: $ADD"
expect_exit 0 "$AOTPACK" toolchain list --json
python3 - "$OUT" "$id" <<'PY'
import json, sys
doc = json.loads(sys.argv[1])
t = {x["id"]: x for x in doc["toolchains"]}[sys.argv[2]]
assert t["translator_llvm"] == 22 and t["translator_version"].startswith("22."), t
assert t["translator"].endswith("/bin/llvm-spirv") and "ocloc" not in t, t
assert t["source"] == "debian:sid --translator 22" and t["ips"] == [], t
assert any(p["name"] == "llvm-spirv-22" for p in t["packages"]), t["packages"]
PY
expect_exit 0 "$AOTPACK" --version
expect_in "toolchain $id: llvm-spirv 22."
# The host's packages are untouched: no llvm-spirv-22 on PATH after the add.
! command -v llvm-spirv-22 >/dev/null || fail "llvm-spirv-22 appeared on the host"

# capture translates with the store's translator; the build compiles its SPIR-V.
expect_exit 0 "$AOTPACK" capture --from-binary libk22.a -o cap
expect_in "1 translated from LLVM bitcode"
spv=$(ls cap/modules/*.spv)
"$WORK/store/$id/bin/llvm-spirv" reduce22.bc "--spirv-ext=+all,-SPV_KHR_untyped_pointers" -o by-hand.spv
cmp -s "$spv" by-hand.spv || fail "the captured SPIR-V is not what the store's llvm-spirv writes"
expect_exit 0 "$AOTPACK" build -q -d acm-g10,pvc cap -o k.aotpack
expect_exit 0 "$AOTPACK" list k.aotpack --json
python3 - "$OUT" <<'PY'
import json, sys
doc = json.loads(sys.argv[1])
(m,) = doc["modules"]
assert sorted(b["target"] for b in m["binaries"]) == ["acm-g10", "pvc"], m["binaries"]
assert all(b["kernels"] == "group_sum" for b in m["binaries"]), m["binaries"]
PY

# A translator builds no target: --toolchain cannot name it, and routing does not list it.
expect_exit 2 "$AOTPACK" build -q -d pvc "$SRC/examples/kernels/reduce.cl" --toolchain "$id" -o x.aotpack
expect_in "no such toolchain"

# Locked, added from the lock into another store (offline: its .debs copied), removed.
expect_exit 0 "$AOTPACK" toolchain lock -o t.lock
python3 - t.lock "$id" <<'PY'
import json, sys
(t,) = json.load(open(sys.argv[1]))["toolchains"]
assert t["id"] == sys.argv[2] and t["translator_llvm"] == 22, t
PY
mkdir -p store2 && cp -r "$WORK/store/debs" store2/
AOTPACK_TOOLCHAINS=$WORK/store2 expect_exit 0 "$AOTPACK" toolchain add t.lock
expect_in "$id: llvm-spirv 22."
expect_exit 0 "$AOTPACK" toolchain remove "$id"
[ ! -e "$WORK/store/$id" ] || fail "remove left the translator's directory"
[ -z "$(ls "$WORK/store/debs")" ] || fail "remove left .debs no toolchain uses: $(ls "$WORK/store/debs")"
expect_exit 9 "$AOTPACK" capture --from-binary libk22.a -o none
echo "PASS: $TEST_NAME"
