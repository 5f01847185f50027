#!/usr/bin/env bash
# OpenCL C through both frontends (ocloc -spv_only and clang + llvm-spirv), and a real hashcat
# kernel (Debian's hashcat-data) built for ats-m150,pvc; a second build is all cache hits.
source "$(dirname "$0")/common.sh"

expect_exit 0 "$AOTPACK" build -d ats-m150,pvc --frontend clang "$SRC/examples/kernels" -o clang.aotpack
"$AOTPACK" verify clang.aotpack
"$AOTPACK" list clang.aotpack > list.txt
grep -q "vadd,saxpy" list.txt || fail "clang frontend lost kernels: $(cat list.txt)"

echo '__kernel void k(__global int* p) { p[0] = nope; }' > bad.cl
expect_exit 1 "$AOTPACK" build -d pvc --frontend clang bad.cl -o bad.aotpack
expect_in "aotpack: error: module 'bad' ("
expect_in "use of undeclared identifier 'nope'"

hashcat=/usr/share/hashcat/OpenCL
[ -f $hashcat/m00000_a0-optimized.cl ] || skip "hashcat-data not installed"
options=$(head -1 "$SRC/bench/hashcat-options.txt" | sed "s|@HASHCAT@|$hashcat|g")
expect_exit 0 "$AOTPACK" build -d ats-m150,pvc "--cl-options=$options" $hashcat/m00000_a0-optimized.cl -o hc.aotpack
"$AOTPACK" verify hc.aotpack
expect_exit 0 "$AOTPACK" build -d ats-m150,pvc "--cl-options=$options" $hashcat/m00000_a0-optimized.cl -o hc2.aotpack
expect_in "(0 compiled, 2 from cache)"
cmp hc.aotpack hc2.aotpack || fail "rebuild differs"
rm -rf cache/jit
expect_exit 0 sim_pvc "$AOTPACK" load hc.aotpack
expect_in "native"
expect_in "m00000_m04"
# A large native binary (a hashcat module's ~400 KB zebin) is kept decompressed in the cache after
# its first load; a corrupted copy is discarded and made again from the archive.
[ "$(find cache/jit -name '*.zebin' | wc -l)" = 1 ] || fail "decompressed native not cached"
for f in $(find cache/jit -name '*.zebin'); do printf 'garbage' | dd of="$f" bs=1 seek=4000 conv=notrunc 2>/dev/null; done
expect_exit 0 sim_pvc "$AOTPACK" load hc.aotpack --json
python3 -c 'import json,sys; assert all(x["source"]=="native" for x in json.loads(sys.argv[1]))' "$OUT"
expect_exit 0 "$AOTPACK" cache verify --cache-dir cache/jit
expect_in "bad entries removed: 0"
[ "$(find cache/jit -name '*.zebin' | wc -l)" = 1 ] || fail "the corrupted copy was not replaced"
expect_exit 0 sim_atsm "$AOTPACK" load hc.aotpack
expect_in "exact match for acm-g10 (12.55.8)"
