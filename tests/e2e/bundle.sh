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
echo "PASS: bundle"
