#!/usr/bin/env bash
# The shared libraries export exactly their checked-in symbol lists (as SPIRV-Tools checks its
# own): libaotpack_rt the C API of include/aotpack/runtime.h and runtime_opencl.h, libaotpack_preload
# what it interposes and its version query, libaotpack_replay what the preload shim calls. A new
# export must be added to the list on purpose. The shim needs nothing but libc (its cost to a
# program that builds nothing).
source "$(dirname "$0")/common.sh"

exported() { nm -D --defined-only "$1" | awk '{print $NF}' | grep -v '^AOTPACK_' | sed 's/@@.*//' | sort; }

rt=$(find "$AOTPACK_BINARY_DIR/src/runtime" -name 'libaotpack_rt.so.*.*.*' | head -1)
preload=$AOTPACK_BINARY_DIR/lib/aotpack/libaotpack_preload.so
[ -f "$rt" ] && [ -f "$preload" ] || fail "libraries not built: '$rt' '$preload'"

exported "$rt" >rt.txt
diff -u "$SRC/src/runtime/libaotpack_rt.symbols" rt.txt ||
    fail "libaotpack_rt exports differ from src/runtime/libaotpack_rt.symbols (above)"
exported "$preload" >preload.txt
diff -u "$SRC/src/capture/libaotpack_preload.symbols" preload.txt ||
    fail "libaotpack_preload exports differ from src/capture/libaotpack_preload.symbols (above)"
exported "$AOTPACK_BINARY_DIR/lib/aotpack/libaotpack_replay.so" >replay.txt
diff -u "$SRC/src/capture/libaotpack_replay.symbols" replay.txt ||
    fail "libaotpack_replay exports differ from src/capture/libaotpack_replay.symbols (above)"
needed=$(readelf -d "$preload" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | grep -v '^libc\.so\|^libasan\|^libubsan\|^libtsan\|^libm\.so\|^libgcc_s\|^libstdc++' || true)
[ -z "$needed" ] || fail "libaotpack_preload needs more than libc: $needed"

# Every function the public header declares is exported, and nothing else.
grep -ho 'aotpack_[a-z_]*(' "$SRC/include/aotpack/runtime.h" "$SRC/include/aotpack/runtime_opencl.h" |
    tr -d '(' | sort -u >header.txt
diff -u header.txt rt.txt || fail "runtime.h, runtime_opencl.h and libaotpack_rt's exports differ (above)"

# Every symbol is versioned (a program linked today keeps working with a later library).
nm -D --defined-only "$rt" | awk '$2 == "T"' | grep -v '@@AOTPACK_RT_0' &&
    fail "unversioned exports in libaotpack_rt"
echo "PASS: exported_symbols"
