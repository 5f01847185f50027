#!/usr/bin/env bash
# Defects a new user tripped over, one block per defect.
# Each block failed before its fix.
source "$(dirname "$0")/common.sh"

one_line() { [ "$(wc -l <<<"$OUT")" = 1 ] || fail "one line expected: $OUT"; }
cp -r "$SRC/examples/kernels" kernels
"$AOTPACK" build -q -d ats-m150,pvc kernels -o full.aotpack

# 1, 2. load takes its policy from AOTPACK_POLICY unless --policy is given; a bad --policy is a
# usage error; a misspelled AOTPACK_POLICY is refused (CLI) or warned about once (library).
AOTPACK_POLICY=native-only expect_exit 9 sim_tgl "$AOTPACK" load full.aotpack
expect_in "native-only: no binary serves tgllp"
expect_exit 2 sim_tgl "$AOTPACK" load full.aotpack --policy bogus
expect_in "--policy 'bogus' is not prefer-native, native-only or jit-only"
AOTPACK_POLICY=nativeonly expect_exit 2 "$AOTPACK" select full.aotpack --device pvc
expect_in "AOTPACK_POLICY 'nativeonly'"

# The library (an application that knows nothing of the CLI) warns once about a misspelling.
AOTPACK_POLICY=nativeonly expect_exit 0 sim_pvc "$AOTPACK_BINARY_DIR/examples/load_module" full.aotpack vector_ops
expect_in "warning: AOTPACK_POLICY='nativeonly' is not prefer-native, native-only or jit-only; using prefer-native"

# 3. A module that is not in the archive: exit 9 from select, load and warm.
for cmd in "select full.aotpack --device pvc" "load full.aotpack" "warm full.aotpack"; do
    expect_exit 9 sim_pvc "$AOTPACK" $cmd --module nosuch
    expect_in "module 'nosuch' is not in 'full.aotpack' (modules: histogram, reduce, vector_ops)"
done

# 4. One mapping of errors to exit codes: native-only without a binary is 9 for select and load;
# a missing archive is 3 (as for list); a corrupt payload is 4; warm says what it warmed.
expect_exit 9 "$AOTPACK" select full.aotpack --device tgllp --policy native-only
expect_exit 9 sim_tgl "$AOTPACK" load full.aotpack --policy native-only
expect_exit 3 "$AOTPACK" list missing.aotpack
expect_exit 3 "$AOTPACK" load missing.aotpack
cp full.aotpack corrupt.aotpack
corrupt_payloads corrupt.aotpack
expect_exit 4 sim_pvc "$AOTPACK" load corrupt.aotpack
expect_in "payload of module 'reduce' for 12.60.7 fails its checksum"
expect_exit 0 sim_pvc "$AOTPACK" warm full.aotpack
expect_in "nothing to warm: all 3 module load(s) are native binaries"

# 5. --fp64=poison holds on the JIT path too: a GPU without fp64 (acm-g11, which this archive
# has no binary for) JIT-compiles the module with the fp64 kernel dropped instead of failing it;
# load does not list the dropped kernel; select and coverage say which kernels a device lacks.
"$AOTPACK" build -q -d ats-m150,pvc,tgllp "$SRC/tests/data/fp64.spv" --fp64=poison -o poison.aotpack 2>/dev/null
json_out=$(AOTPACK_CACHE=0 sim_a380 "$AOTPACK" load poison.aotpack --policy jit-only --json 2>load.err) ||
    fail "JIT with fp64 poison failed: $(cat load.err)"
python3 -c 'import json,sys; r=json.loads(sys.argv[1])[0]; assert r["source"]=="jit" and r["kernels"]==["fadd"] and r["dropped_kernels"]==["dadd"], r' "$json_out"
expect_exit 0 "$AOTPACK" select poison.aotpack --device acm-g11 --policy jit-only
expect_in "kernels this device will not get (fp64): dadd"
expect_exit 0 "$AOTPACK" select poison.aotpack --device pvc
expect_not_in "will not get"
# The C API says it too (aotpack_last_dropped_kernels), as `load` reads it: through Python here.
if [ -z "${AOTPACK_SANITIZED:-}" ]; then # a sanitized library cannot load into python
    env PYTHONPATH="$SRC/python" AOTPACK_RT_LIBRARY="$AOTPACK_BINARY_DIR/src/runtime/libaotpack_rt.so.0" \
        python3 -c 'import aotpack; a = aotpack.Archive("poison.aotpack")
assert a.select("fp64", "acm-g11", "jit-only")["dropped_kernels"] == ["dadd"]
assert a.select("fp64", "acm-g10")["dropped_kernels"] == ["dadd"]
assert a.select("fp64", "pvc")["dropped_kernels"] == []' || fail "aotpack_last_dropped_kernels"
fi
json_out=$("$AOTPACK" coverage poison.aotpack --json)
python3 -c 'import json,sys; d={r["device"]: r for r in json.loads(sys.argv[1])}; assert d["acm-g11"]["dropped_kernels"]==["fp64:dadd"] and d["pvc"]["dropped_kernels"]==[], d["acm-g11"]' "$json_out"

# 6. A failed compile's log: real line breaks, no command line naming a deleted temp file.
printf '__attribute__((intel_reqd_sub_group_size(64)))\n__kernel void f(__global int* x){x[get_global_id(0)]=1;}\n' >sg64.cl
expect_exit 1 "$AOTPACK" build -d tgllp sg64.cl -o x.aotpack --no-cache
expect_in "error: Unsupported required sub group size"
expect_not_in '\x0a'
expect_not_in "Command was:"

# 7. A rebuild of OpenCL C does not run the frontend again unless the source or one of its
# headers changed (an ocloc that logs its calls tells).
mkdir -p fe && cp kernels/*.cl fe/ && printf '#define SCALE 2\n' >fe/scale.h
printf '#include "scale.h"\n__kernel void sc(__global int* x) { x[0] = SCALE; }\n' >fe/sc.cl
printf '#!/bin/sh\necho "$*" >>"%s/calls"\nexec ocloc "$@"\n' "$WORK" >logging-ocloc
chmod +x logging-ocloc
fe_build() { AOTPACK_OCLOC=$WORK/logging-ocloc "$AOTPACK" build -q -d pvc fe -o "$1" 2>/dev/null; }
fe_build fe1.aotpack
[ "$(grep -c spv_only calls)" = 4 ] || fail "the first build should run 4 frontends"
: >calls
fe_build fe2.aotpack
[ "$(grep -c spv_only calls || true)" = 0 ] || fail "a rebuild ran the frontend: $(cat calls)"
cmp fe1.aotpack fe2.aotpack || fail "remembered frontends gave other bytes"
printf '#define SCALE 3\n' >fe/scale.h
: >calls
fe_build fe3.aotpack
[ "$(grep -c spv_only calls)" = 1 ] && grep -q "sc.cl" calls || fail "a header change must rerun its module's frontend only: $(cat calls)"
! cmp -s fe1.aotpack fe3.aotpack || fail "the header change did not reach the archive"

# 8. An output directory that does not exist is reported before anything compiles.
expect_exit 6 "$AOTPACK" build -d pvc kernels -o /nonexistent/dir/x.aotpack --no-cache
one_line
expect_in "the directory '/nonexistent/dir' does not exist"

# 9. OpenCL C that does not compile: exit 1, one error line (then the compiler's log).
printf '__kernel void f(__global int* x){x[0]=1 }\n' >syntax.cl
expect_exit 1 "$AOTPACK" build -d pvc syntax.cl -o x.aotpack --no-cache
[ "$(grep -c '^aotpack: error:' <<<"$OUT")" = 1 ] || fail "one error line expected: $OUT"
expect_in "expected ';' after expression"
expect_not_in "could not be read"

# 10. Targets the installed ocloc cannot build (22.43 has no Xe2): one error line naming them
# all, or with --skip-unsupported a warning, the rest built, the skipped ones recorded, exit 0.
expect_exit 5 "$AOTPACK" build -d pvc,bmg,lnl-m kernels -o sk.aotpack --no-cache
one_line
expect_in "cannot build bmg-g21 (20.1.0), lnl-m (20.4.4)"
expect_exit 0 "$AOTPACK" build -d pvc,bmg,lnl-m kernels -o sk.aotpack --no-cache --skip-unsupported \
    --json-report sk.json
[ "$(grep -c 'warning:' <<<"$OUT")" = 1 ] || fail "one warning expected: $OUT"
[ "$("$AOTPACK" list --targets sk.aotpack)" = pvc ] || fail "only pvc should be built"
"$AOTPACK" list sk.aotpack | grep -q "reduce@bmg-g21" || fail "skipped targets not recorded"
grep -q '"skipped_targets": \[' sk.json || fail "report lacks skipped_targets"
expect_exit 0 "$AOTPACK" build -q -d @torch-xpu-linux kernels -o torch.aotpack --no-cache --skip-unsupported

# 11. --target-options for a device that is not built, -j 0, --timeout -1: usage errors.
expect_exit 2 "$AOTPACK" build -d pvc kernels --target-options acm-g10=-g -o x.aotpack
expect_in "acm-g10 is not a target of this build"
expect_exit 2 "$AOTPACK" build -d pvc kernels -j 0 -o x.aotpack
expect_exit 2 "$AOTPACK" build -d pvc kernels --timeout -1 -o x.aotpack

# 12, 13. The device language: '' is an error; 8086:56c0 (lspci -n) works; bare hex gets a hint.
expect_exit 2 "$AOTPACK" devices ''
expect_in "empty device list"
expect_exit 0 "$AOTPACK" devices 8086:56c0
expect_in "'8086:56c0' is acm-g10"
expect_exit 2 "$AOTPACK" devices 56c0
expect_in "did you mean '0x56c0'?"

# 14. Product names from devlists/ are shown and accepted.
expect_exit 0 "$AOTPACK" devices
expect_in "Arc A770"
expect_exit 0 "$AOTPACK" devices "Arc A770,arc a380"
expect_in "'Arc A770' is acm-g10"
expect_in "'arc a380' is acm-g11"
expect_exit 0 "$AOTPACK" devices --json
expect_in '"products": ['

# 17. An unknown command or option is named (with a suggestion), before any missing option.
expect_exit 2 "$AOTPACK" lsit full.aotpack
expect_in "unknown command 'lsit' (did you mean 'list'?)"
expect_exit 2 "$AOTPACK" build --bogus-flag
expect_in "unknown option '--bogus-flag' for 'aotpack build'"
expect_not_in "is required"

# 19. warm --system (as root, at install time) fills a machine-wide JIT cache that every user
# reads; a user's own cache that cannot be used is warned about, not silently skipped.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    export AOTPACK_SYSTEM_CACHE_DIR=$WORK/system-cache
    expect_exit 0 sim_tgl "$AOTPACK" warm --system full.aotpack
    expect_in "JIT cache warmed: 3 module load(s) through the JIT"
    [ "$(stat -c %a "$AOTPACK_SYSTEM_CACHE_DIR/jit")" = 755 ] || fail "system cache not world-readable"
    [ -z "$(find "$AOTPACK_SYSTEM_CACHE_DIR" -type f ! -perm -0044)" ] || fail "entries not world-readable"
    chmod 755 "$WORK"
    mkdir -p nobody && chown nobody nobody
    as_nobody() { (cd nobody && setpriv --reuid=nobody --regid=nogroup --clear-groups \
        env HOME="$WORK/nobody" AOTPACK_CACHE_DIR="$WORK/nobody/cache" "$@"); }
    expect_exit 0 as_nobody env NEOReadDebugKeys=1 DisableDeepBind=1 SetCommandStreamReceiver=1 \
        ProductFamilyOverride=tgllp "$AOTPACK" load "$WORK/full.aotpack" --json
    expect_in "system JIT cache hit"
    expect_not_in '"source": "jit"'
    mkdir -p locked && chmod 000 locked
    expect_exit 0 as_nobody env AOTPACK_CACHE_DIR="$WORK/locked/cache" NEOReadDebugKeys=1 \
        DisableDeepBind=1 SetCommandStreamReceiver=1 ProductFamilyOverride=tgllp \
        "$AOTPACK" load "$WORK/full.aotpack" --module reduce
    expect_in "warning: JIT cache '$WORK/locked/cache/jit' cannot be used"
    unset AOTPACK_SYSTEM_CACHE_DIR
else
    echo "note: item 19 needs root and setpriv to act as another user; not run"
fi

# 21. An empty --cl-options= does not swallow the next argument.
expect_exit 0 "$AOTPACK" build -q -d pvc kernels/reduce.cl --cl-options= -o e.aotpack
expect_exit 0 "$AOTPACK" build -q -d pvc kernels/reduce.cl --cl-options= --no-cache -o e.aotpack

# 22. A long frontend log keeps its first error (cut in the middle, at line boundaries).
{
    echo '__kernel void f(__global int* x) { x[0] = first_undeclared_name; }'
    for i in $(seq 300); do echo "__kernel void g$i(__global int* x) { x[0] = undeclared_$i; }"; done
} >long.cl
expect_exit 1 "$AOTPACK" build -d pvc long.cl -o x.aotpack --no-cache
expect_in "first_undeclared_name"
expect_in "line(s) left out"

# 23. A failing build's first line is an error, not a note.
expect_exit 1 "$AOTPACK" build -d pvc syntax.cl -o x.aotpack --no-cache
[[ "$(head -1 <<<"$OUT")" == "aotpack: error:"* ]] || fail "first line: $(head -1 <<<"$OUT")"

# 24. --cl-options on SPIR-V is said to do nothing; its code-generation options reach the
# backend compile of OpenCL C modules too (as with ocloc compile -file k.cl -options ...).
"$AOTPACK" extract full.aotpack --module reduce -o spv >/dev/null
expect_exit 0 "$AOTPACK" build -d pvc spv/reduce.spv --cl-options=-DX -o s.aotpack --no-cache
expect_in "--cl-options applies to OpenCL C inputs only; 1 SPIR-V input(s) ignore it"
expect_exit 0 "$AOTPACK" build -q -d pvc kernels/reduce.cl "--cl-options=-DX -cl-fast-relaxed-math" \
    -o fm.aotpack --no-cache
"$AOTPACK" list fm.aotpack --json | grep -q '"options": "-cl-fast-relaxed-math"' ||
    fail "the backend compile did not get -cl-fast-relaxed-math"

# 25. fp64 is decided by the compiler: a module that only loads and stores doubles builds for
# targets without fp64 (as with ocloc); real double arithmetic still gets the policy's message.
cat >dcopy.cl <<'CL'
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
__kernel void dcopy(__global const double* in, __global double* out) {
    vstore2(vload2(get_global_id(0), in), get_global_id(0), out);
}
CL
expect_exit 0 "$AOTPACK" build -d ats-m150,tgllp,pvc dcopy.cl -o dcopy.aotpack --no-cache
expect_exit 1 "$AOTPACK" build -d ats-m150 "$SRC/tests/data/fp64.spv" -o x.aotpack --no-cache
expect_in "module 'fp64' uses fp64, which acm-g10 (12.55.8) lacks; use --fp64=poison"

# 26. One validation environment for every SPIR-V version: 64-bit atomics (which IGC accepts)
# are not flagged in a SPIR-V 1.0 module when they are not in a 1.4 one.
cat >a64.cl <<'CL'
#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable
__kernel void add64(__global long* p) { atom_add(p, 1L); }
CL
expect_exit 0 "$AOTPACK" build -d none --frontend clang a64.cl -o a64.aotpack --no-cache
expect_not_in "Int64Atomics"

# 27. -k with every job failed writes no archive.
rm -f x.aotpack
expect_exit 1 "$AOTPACK" build -d tgllp sg64.cl -k -o x.aotpack --no-cache
expect_in "no job succeeded, so nothing was written"
[ ! -e x.aotpack ] || fail "an archive with no entry was written"
# 15. Each @torch-* preset says which PyTorch release it tracks.
for preset in $(grep -o '^preset torch-[a-z-]*' "$SRC/devlists/intel-gpus.devlist" | cut -d' ' -f2); do
    grep -q -- "@$preset" "$SRC/docs/DEVICES.md" || fail "docs/DEVICES.md does not mention @$preset"
done
grep -q "PyTorch 2.10" "$SRC/docs/DEVICES.md" || fail "no PyTorch version for the torch presets"

# 16. remove-targets of a target the archive lacks, extract of a missing target: exit 9, named,
# nothing written; verify names the target of a corrupt payload.
expect_exit 9 "$AOTPACK" remove-targets full.aotpack -d acm-g12 -o pruned.aotpack
expect_in "target acm-g12 is not in 'full.aotpack' (targets: acm-g10, pvc)"
[ ! -e pruned.aotpack ] || fail "remove-targets wrote output"
expect_exit 9 "$AOTPACK" extract full.aotpack --target tgllp -o out
expect_in "target tgllp (12.0.0) is not in 'full.aotpack'"
[ ! -e out ] || fail "extract left an empty directory"
expect_exit 4 "$AOTPACK" verify corrupt.aotpack
expect_in "payload of module 'histogram' (SPIR-V) fails its checksum"

# 18. The pkg-config file works from any install prefix.
cmake --install "$AOTPACK_BINARY_DIR" --prefix "$WORK/prefix" >/dev/null
pc=$(find "$WORK/prefix" -name aotpack-rt.pc)
inc=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --variable=includedir aotpack-rt)
[ -f "$inc/aotpack/runtime.h" ] || fail "pkg-config points at '$inc', not the install prefix"

echo "PASS: user_defects"
