#!/usr/bin/env bash
# The .deb on a clean system: debootstrap a minimal Debian 12, `apt-get install ./aotpack.deb`
# (dependencies from the package's own Depends), then run the CLI there: versions, a device list,
# and a real build of the example kernels with the image's ocloc. Needs root and Debian's mirror;
# if debootstrap cannot download, the test is skipped, not failed.
source "$(dirname "$0")/common.sh"
[ -z "${AOTPACK_SANITIZED:-}" ] || skip "the sanitizer build's package needs the sanitizer runtime, which a clean image lacks"
source "$SRC/tests/e2e/lib/debian_root.sh"

cpack -G DEB -B "$WORK/pkg" --config "$AOTPACK_BINARY_DIR/CPackConfig.cmake" >/dev/null
root=$WORK/root
debian_root "$root"
cp "$WORK"/pkg/aotpack_*_amd64.deb "$root/tmp/aotpack.deb"
cp -r "$SRC/examples/kernels" "$root/tmp/kernels"
chroot "$root" /bin/bash -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq &&
    apt-get install -y -qq /tmp/aotpack.deb' > install.log 2>&1 || fail "apt-get install failed: $(tail -n 20 install.log)"

expect_exit 0 chroot "$root" dpkg -s aotpack
expect_in "Status: install ok installed"
expect_exit 0 chroot "$root" aotpack --version
expect_in "ocloc 22.43"
expect_exit 0 chroot "$root" aotpack build -q -d ats-m150,pvc /tmp/kernels -o /tmp/k.aotpack --no-cache
expect_exit 0 chroot "$root" aotpack verify /tmp/k.aotpack
expect_exit 0 chroot "$root" aotpack list --targets /tmp/k.aotpack
[ "$OUT" = "$(printf 'acm-g10\npvc')" ] || fail "targets in the chroot: $OUT"
[ -f "$root/usr/lib/libaotpack_rt.so.0" ] && [ -f "$root/usr/lib/cmake/aotpack/aotpackConfig.cmake" ] || fail "files missing"
