# Sourced by tests that need a clean Debian 12 system (after common.sh): debian_root DIR makes a
# minimal bookworm root (debootstrap --variant=minbase) at DIR. The first test to need one
# downloads it and keeps a tarball in the build directory; the others (and later runs) unpack
# that. Skips the test when debootstrap cannot download (no network).
debian_root() {
    local dir=$1 cache=${AOTPACK_BINARY_DIR:-$WORK}/bookworm-minbase.tar
    [ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot)"
    command -v debootstrap >/dev/null || skip "debootstrap not installed"
    (
        flock 9
        if [ ! -s "$cache" ]; then
            rm -rf "$WORK/debootstrap"
            debootstrap --variant=minbase bookworm "$WORK/debootstrap" http://deb.debian.org/debian \
                >"$WORK/debootstrap.log" 2>&1 || exit 3
            tar -cf "$cache.tmp" -C "$WORK/debootstrap" . && mv "$cache.tmp" "$cache"
            rm -rf "$WORK/debootstrap"
        fi
    ) 9>"$cache.lock" || skip "debootstrap could not build a base system (network?): $(tail -n 2 "$WORK/debootstrap.log" 2>/dev/null)"
    mkdir -p "$dir"
    tar -xf "$cache" -C "$dir"
}
