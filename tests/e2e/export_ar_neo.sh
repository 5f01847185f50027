#!/usr/bin/env bash
# export-ar writes the AR ocloc itself writes (byte-identical), and the NEO driver loads it: natively
# on a simulated PVC and a simulated ATS-M (0x56C0 rev 8), from generic_ir on a simulated TGL.
source "$(dirname "$0")/common.sh"
command -v ocloc >/dev/null || skip "ocloc not installed"

"$AOTPACK" build -q -d ats-m150,pvc "$SRC/examples/kernels" -o k.aotpack
expect_exit 0 "$AOTPACK" export-ar k.aotpack --module vector_ops -o ours.ar
"$AOTPACK" extract k.aotpack --module vector_ops -o x
ocloc compile -spirv_input -file x/vector_ops.spv -device 12.55.8,12.60.7 --format zebin -output theirs.ar >/dev/null
cmp ours.ar theirs.ar || fail "exported AR differs from ocloc's fat binary"
expect_exit 9 "$AOTPACK" export-ar k.aotpack --module nope -o nope.ar


expect_exit 0 sim_pvc "$ZE_PROBE" ours.ar native
expect_in "kernel vadd"
expect_not_in "recompiled-from-ir"
expect_exit 0 sim_atsm "$ZE_PROBE" ours.ar native
expect_in "kernel saxpy"
expect_not_in "recompiled-from-ir"
expect_exit 0 sim_tgl "$ZE_PROBE" ours.ar native
expect_in "recompiled-from-ir"
expect_in "kernel vadd"

# With build options, generic_ir carries them in a BuildOptions section.
"$AOTPACK" build -q -d pvc "$SRC/examples/kernels" --options -cl-fast-relaxed-math -o opt.aotpack
expect_exit 0 "$AOTPACK" export-ar opt.aotpack --module reduce -o opt.ar
grep -q "BuildOptions" opt.ar && grep -q -- "-cl-fast-relaxed-math" opt.ar || fail "options missing from generic_ir"
expect_exit 0 sim_tgl "$ZE_PROBE" opt.ar native
expect_in "kernel group_sum"
