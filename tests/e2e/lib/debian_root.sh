# Sourced by tests that need a clean Debian 12 system (after common.sh): debian_root DIR makes a
# minimal bookworm root (debootstrap --variant=minbase) at DIR. The first test to need one
# downloads it and keeps a tarball in the build directory; the others (and later runs) unpack
# that. Skips the test when debootstrap cannot download (no network). The packages come from the
# Debian archive this machine's apt sources name for bookworm, as everything else here does.

# The URI of the first apt source for bookworm (one-line entries and deb822 stanzas).
bookworm_mirror() {
    python3 - <<'PY'
import glob, re
files = ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")) + \
    sorted(glob.glob("/etc/apt/sources.list.d/*.sources"))
for name in files:
    try:
        text = open(name).read()
    except OSError:
        continue
    if name.endswith(".sources"):
        for stanza in re.split(r"\n\s*\n", text):
            fields = dict(re.findall(r"^(\w[\w-]*):\s*(.*)$", stanza, re.M))
            if "deb" in fields.get("Types", "").split() and "bookworm" in fields.get("Suites", "").split():
                print(fields["URIs"].split()[0]); raise SystemExit
    for line in text.splitlines():
        words = re.sub(r"\[[^]]*\]", "", line).split()
        if len(words) >= 3 and words[0] == "deb" and words[2] == "bookworm":
            print(words[1]); raise SystemExit
PY
}

debian_root() {
    local dir=$1 cache=${AOTPACK_BINARY_DIR:-$WORK}/bookworm-minbase.tar
    [ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot)"
    command -v debootstrap >/dev/null || skip "debootstrap not installed"
    local mirror
    mirror=$(bookworm_mirror)
    [ -n "$mirror" ] || skip "this machine's apt sources name no Debian archive for bookworm"
    (
        flock 9
        if [ ! -s "$cache" ]; then
            rm -rf "$WORK/debootstrap"
            debootstrap --variant=minbase bookworm "$WORK/debootstrap" "$mirror" \
                >"$WORK/debootstrap.log" 2>&1 || exit 3
            tar -cf "$cache.tmp" -C "$WORK/debootstrap" . && mv "$cache.tmp" "$cache"
            rm -rf "$WORK/debootstrap"
        fi
    ) 9>"$cache.lock" || skip "debootstrap could not build a base system (network?): $(tail -n 2 "$WORK/debootstrap.log" 2>/dev/null)"
    mkdir -p "$dir"
    tar -xf "$cache" -C "$dir"
}
