#!/usr/bin/env bash
# aotpack publish: every native binary of an archive on a real nginx (WebDAV PUT, bearer
# token) under its SHA-256, each once; a second publish sends nothing; the token reaches the
# server and is never printed; an unreachable server fails with the URL named, no credentials.
source "$(dirname "$0")/common.sh"
source "$SRC/tests/e2e/lib/cache_server.sh"
command -v ocloc >/dev/null || skip "ocloc is not installed"

"$AOTPACK" build -q -d pvc,acm-g10,acm-g11 "$SRC/examples/kernels" -o app.aotpack
"$AOTPACK" extract app.aotpack -o natives >/dev/null
token=pub-t0ken-$RANDOM
start_nginx n "" "$token"
AOTPACK_REMOTE_CACHE_TOKEN=$token expect_exit 0 "$AOTPACK" publish app.aotpack --to "$URL_n"
expect_in "published 9 native(s)"
for bin in natives/*.bin; do
    digest=$(sha256sum "$bin" | cut -c1-64)
    cmp "$bin" "$DATA_n/cas/$digest" || fail "$bin is not on the server under its SHA-256"
    # and a zstd copy beside it, which a runtime fetches first
    zstd -q -d -c "$DATA_n/cas/$digest.zst" | cmp - "$bin" || fail "$digest.zst is not $bin"
done
[ "$(ls "$DATA_n/cas" | grep -vc '\.zst$')" = 9 ] || fail "9 natives expected: $(ls "$DATA_n/cas")"
AOTPACK_REMOTE_CACHE_TOKEN=$token expect_exit 0 "$AOTPACK" publish app.aotpack --to "$URL_n"
expect_in "published 0 native(s), 0 B; 9 already there"
# Without the token the server refuses: an error naming the server, never the token.
expect_exit 6 "$AOTPACK" publish app.aotpack --to "${URL_n/http:\/\//http://bob:pw@}"
expect_in "cannot publish to http://***@127.0.0.1"
expect_not_in "pw@"
stop_nginx n
AOTPACK_REMOTE_CACHE_TOKEN=$token expect_exit 6 "$AOTPACK" publish app.aotpack --to "$URL_n"
expect_not_in "$token"
expect_exit 2 "$AOTPACK" publish app.aotpack --to ftp://host/x
expect_in "unsupported scheme"
! grep -rqF --exclude-dir=nginx-n -- "$token" . || fail "the token appears in: $(grep -rlF --exclude-dir=nginx-n -- "$token" .)"
