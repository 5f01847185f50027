#!/usr/bin/env bash
# The .deb (CPack): declares its Debian dependencies, and its contents work from wherever they are
# unpacked: the CLI runs, and the cmake-consumer example builds against it. (Installing it with apt on
# a clean debootstrap image: deb_chroot.sh.)
source "$(dirname "$0")/common.sh"
command -v cpack >/dev/null && command -v dpkg-deb >/dev/null || skip "cpack or dpkg-deb missing"

cpack -G DEB -B "$WORK/pkg" --config "$AOTPACK_BINARY_DIR/CPackConfig.cmake" >/dev/null
deb=$(ls "$WORK"/pkg/aotpack_*_amd64.deb)
dpkg-deb -I "$deb" > info.txt
grep -q "Depends: intel-opencl-icd, libze1" info.txt || fail "dependencies: $(cat info.txt)"
if [ -z "${AOTPACK_SANITIZED:-}" ]; then # instrumented binaries are large even when stripped
    [ "$(stat -c %s "$deb")" -lt 10000000 ] || fail "package is $(stat -c %s "$deb") bytes (not stripped?)"
fi

dpkg-deb -x "$deb" root
expect_exit 0 root/usr/bin/aotpack --version
expect_in "aotpack 0.1.0"
expect_in "ocloc 22.43"
expect_exit 0 root/usr/bin/aotpack devices ats-m150,pvc
# The preload library is where the packaged aotpack looks for it.
[ -f root/usr/lib/aotpack/libaotpack_preload.so ] || fail "no preload library in the package"
[ -f root/usr/lib/aotpack/libaotpack_replay.so ] || fail "no replay library in the package"
"$AOTPACK" build -q -d none "$SRC/tests/data/vector_ops.spv" -o none.aotpack --no-cache
expect_exit 0 root/usr/bin/aotpack run none.aotpack -- true

cp -r "$SRC/examples/cmake-consumer" consumer
cmake -S consumer -B consumer/build -G Ninja -DCMAKE_PREFIX_PATH="$WORK/root/usr" -DAOTPACK_DEVICES=pvc >/dev/null
ninja -C consumer/build >/dev/null
[ "$(root/usr/bin/aotpack list --targets consumer/build/kernels.aotpack)" = pvc ] || fail "consumer archive"
if [ -z "${AOTPACK_SANITIZED:-}" ]; then
    expect_exit 0 sim_pvc consumer/build/consumer
    expect_in "loaded vector_ops from native"
fi
