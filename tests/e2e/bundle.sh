#!/usr/bin/env bash
# `aotpack bundle`: the relocatable toolchain, unpacked in a clean Debian 12 root that has none of
# Intel's packages (nor libcurl, zstd, ...), builds the examples with its own ocloc on the compile
# workers (libocloc found beside that ocloc) and writes the same archive as the installed tool.
source "$(dirname "$0")/common.sh"
[ -z "${AOTPACK_SANITIZED:-}" ] || skip "a sanitizer build needs the sanitizer runtime, which a clean root lacks"
source "$SRC/tests/e2e/lib/debian_root.sh"

root=$WORK/root
debian_root "$root"
[ ! -e "$root/usr/bin/ocloc" ] && [ ! -e "$root/usr/lib/x86_64-linux-gnu/libigc.so.1" ] ||
    fail "the clean root already has Intel's compiler"

"$AOTPACK" bundle -o toolchain.tar.gz
tar -tzf toolchain.tar.gz >files.txt
for f in bin/aotpack bin/ocloc libexec/ocloc lib/libocloc.so lib/libigc.so.1 lib/libigdfcl.so.1 \
    lib/libopencl-clang.so.14 lib/libcurl.so.4 MANIFEST; do
    grep -qx "toolchain/$f" files.txt || fail "the bundle lacks $f"
done
! grep -q "toolchain/lib/libc.so.6" files.txt || fail "glibc must not be bundled"
mkdir -p "$root/opt"
tar -xzf toolchain.tar.gz -C "$root/opt"
cp -r "$SRC/examples/kernels" "$root/tmp/kernels"

devices=pvc,acm-g10,tgllp
"$AOTPACK" build -q -d $devices "$SRC/examples/kernels" -o installed.aotpack --no-cache
mount -t proc proc "$root/proc"
trap 'umount "$root/proc" 2>/dev/null || true; rm -rf "$WORK"' EXIT
expect_exit 0 chroot "$root" /opt/toolchain/bin/aotpack --version
expect_in "ocloc 22.43"
expect_exit 0 chroot "$root" env AOTPACK_CACHE_DIR=/tmp/cache /opt/toolchain/bin/aotpack build -d $devices \
    /tmp/kernels -o /tmp/bundled.aotpack --json-report /tmp/report.json
expect_not_in "one ocloc process per job"
grep -q '"compile_mode": "workers"' "$root/tmp/report.json" || fail "the bundle compiled without workers"
cmp installed.aotpack "$root/tmp/bundled.aotpack" || fail "the bundle built another archive"
# Its ocloc works on its own too (the wrapper sets the library path).
expect_exit 0 chroot "$root" /opt/toolchain/bin/ocloc query OCL_DRIVER_VERSION

# The drop-in from the bundle, first on PATH as a build would put it, starts (its
# shim goes through the wrapper, which sets the library path) and builds like ocloc.
"$AOTPACK" extract installed.aotpack --module reduce -o "$root/tmp/spv" >/dev/null
expect_exit 0 chroot "$root" env AOTPACK_CACHE_DIR=/tmp/cache sh -c \
    'PATH=$(/opt/toolchain/bin/aotpack ocloc --shim-dir):$PATH; cd /tmp/spv &&
     AOTPACK_LOG=1 ocloc compile -file reduce.spv -spirv_input -device pvc,acm-g10 -output fat -q'
expect_in "aotpack ocloc: 2 target(s)"
[ -s "$root/tmp/spv/fat" ] || fail "the bundle's drop-in wrote no fat binary"
# Two installed aotpacks do not share (and overwrite) one shim directory.
shim_host=$("$AOTPACK" ocloc --shim-dir)
shim_bundle=$(AOTPACK_CACHE_DIR=$WORK/cache chroot "$root" /opt/toolchain/bin/aotpack ocloc --shim-dir)
[ "$shim_host" != "$shim_bundle" ] || fail "the bundle and the installed aotpack share '$shim_host'"
[ "$(readlink "$shim_host/ocloc")" = "$(readlink -f "$AOTPACK")" ] || fail "the installed shim was taken over"

# Stripped, carrying the preload library: run and capture work from the bundle.
grep -qx "toolchain/lib/aotpack/libaotpack_preload.so" files.txt || fail "no preload library"
grep -qx "toolchain/lib/aotpack/libaotpack_replay.so" files.txt || fail "no replay library"
! readelf -S "$root/opt/toolchain/libexec/aotpack" | grep -q "\.debug_info" ||
    fail "the bundle's aotpack keeps its debug information"
expect_exit 0 chroot "$root" /opt/toolchain/bin/aotpack run /tmp/bundled.aotpack -- /bin/true
# --no-opencl-c: no frontend libraries; SPIR-V builds; OpenCL C is refused with its own message.
"$AOTPACK" bundle --no-opencl-c -o spirv-only.tar.gz
tar -tzf spirv-only.tar.gz >spirv-files.txt
! grep -qE "libclang-cpp|libopencl-clang|libigdfcl" spirv-files.txt || fail "the frontend was bundled"
echo "bundle: $(stat -c %s toolchain.tar.gz) bytes, without OpenCL C $(stat -c %s spirv-only.tar.gz)"
[ "$(stat -c %s spirv-only.tar.gz)" -lt "$(stat -c %s toolchain.tar.gz)" ] || fail "not smaller"
rm -rf "$root/opt/toolchain" && tar -xzf spirv-only.tar.gz -C "$root/opt"
expect_exit 0 chroot "$root" env AOTPACK_CACHE_DIR=/tmp/cache2 /opt/toolchain/bin/aotpack build \
    -d pvc,tgllp /tmp/spv/reduce.spv -o /tmp/spv.aotpack
expect_exit 5 chroot "$root" env AOTPACK_CACHE_DIR=/tmp/cache2 /opt/toolchain/bin/aotpack build \
    -d pvc /tmp/kernels -o /tmp/cl.aotpack
expect_in "made with --no-opencl-c and cannot compile OpenCL C"
echo "PASS: bundle"
