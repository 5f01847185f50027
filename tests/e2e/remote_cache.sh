#!/usr/bin/env bash
# The remote build cache against real servers on 127.0.0.1 (nginx with WebDAV PUT, over HTTP and
# over TLS with a CA made here, and a file:// directory): uploads on a cold build, hits from a
# fresh local cache with the same archive bytes, read-only mode that never writes, a bearer token
# that reaches the server and never appears in output, the ocloc drop-in, bad configurations.
source "$(dirname "$0")/common.sh"
source "$SRC/tests/e2e/lib/cache_server.sh"

devices=pvc,acm-g10,acm-g11,tgllp
kernels=("$SRC"/examples/kernels/*.cl)

build_with ref ref.aotpack --no-cache

# Cold: every job compiled and uploaded, the archive unchanged by the remote cache.
start_nginx a
build_with a1 a1.aotpack --remote-cache "$URL_a"
cmp ref.aotpack a1.aotpack || fail "a build with a remote cache wrote other bytes"
[ "$(json a1.aotpack.json "d['remote_cache']['uploads'] >= 12")" = True ] || fail "12 uploads expected"
[ "$(ls "$DATA_a"/ac | wc -l)" -ge 12 ] || fail "12 job records expected on the server"
[ "$(no_bad_blobs "$DATA_a")" -ge 12 ] || fail "the blobs are not on the server"

# A fresh machine: every job a remote hit, same bytes, and the hits fill the local cache.
build_with a2 a2.aotpack --remote-cache "$URL_a" --explain
cmp ref.aotpack a2.aotpack || fail "remote hits gave other bytes"
[ "$(job_hits a2.aotpack.json)" = 12 ] || fail "12 remote hits expected"
build_with a2 a3.aotpack --remote-cache "http://127.0.0.1:9/nothing-listens-here"
[ "$(json a3.aotpack.json "sum(j['why'] == 'cache hit' for j in d['jobs'])")" = 12 ] ||
    fail "remote hits should have filled the local cache"
OUT=$(AOTPACK_CACHE_DIR=$WORK/local-a2 "$AOTPACK" cache stats)
[[ "$OUT" =~ remote\ cache:\ ([0-9]+)\ hit ]] && [ "${BASH_REMATCH[1]}" -ge 12 ] ||
    fail "cache stats should count the remote hits: $OUT"

# add-targets takes the same flags: its new targets come from the remote too.
AOTPACK_CACHE_DIR=$WORK/local-add "$AOTPACK" build -q -d pvc "${kernels[@]}" -o pvc.aotpack --no-cache
AOTPACK_CACHE_DIR=$WORK/local-add "$AOTPACK" add-targets pvc.aotpack -d acm-g10 -o add.aotpack \
    --remote-cache "$URL_a" --json-report add.json
[ "$(job_hits add.json)" = 3 ] || fail "add-targets should hit the remote"

# The environment variable does the same as the flag.
AOTPACK_REMOTE_CACHE=$URL_a build_with env env.aotpack
[ "$(job_hits env.aotpack.json)" = 12 ] || fail "AOTPACK_REMOTE_CACHE ignored"

# Read-only: hits are used, nothing is written, not even a HEAD.
start_nginx b
build_with ro ro.aotpack --remote-cache "$URL_b" --remote-cache-mode read-only
cmp ref.aotpack ro.aotpack || fail "read-only build differs"
! grep -qE '"(PUT|HEAD) ' "$WORK/nginx-b/access.log" || fail "read-only mode wrote to the server"
[ ! -d "$DATA_b/ac" ] || fail "read-only mode created records"
cp -r "$DATA_a" "$(dirname "$DATA_b")/"
build_with ro2 ro2.aotpack --remote-cache "$URL_b" --remote-cache-mode read-only
[ "$(job_hits ro2.aotpack.json)" = 12 ] || fail "read-only mode must read"

# A bearer token reaches the server, and neither it nor a URL password is ever printed.
secret=s3cr3t-t0ken-42
start_nginx c "" "$secret"
AOTPACK_REMOTE_CACHE_TOKEN=$secret build_with tok tok.aotpack --remote-cache "$URL_c"
[ "$(json tok.aotpack.json "d['remote_cache']['uploads'] >= 12")" = True ] || fail "token not sent"
userurl=${URL_c/http:\/\//http://bob:hunter2pw@}
set +e
OUT=$(AOTPACK_REMOTE_CACHE_TOKEN=wrong-$secret build_with tok2 tok2.aotpack --remote-cache "$userurl" 2>&1)
code=$?
set -e
[ $code = 0 ] || fail "a rejected token failed the build ($code): $OUT"
expect_in "HTTP status 401"
expect_not_in "$secret"
expect_not_in hunter2pw
! grep -q -e "$secret" -e hunter2pw tok2.aotpack.json tok2.aotpack tok.aotpack.json ||
    fail "a credential leaked into a report or archive"
grep -q '"url": "http://\*\*\*@127.0.0.1' tok2.aotpack.json || fail "URL not redacted in the report"
echo "machine 127.0.0.1 login x password $secret" >netrc # netrc is read (no leak either)
AOTPACK_REMOTE_CACHE_NETRC=$WORK/netrc build_with tok3 tok3.aotpack --remote-cache "$URL_c" 2>err.txt
! grep -q "$secret" err.txt tok3.aotpack.json || fail "netrc password leaked"

# TLS with the server's own CA: refused without it (a warning, the build goes on), used with it.
start_nginx d tls
# The handshakes of a sanitizer build on a loaded machine may pass the connect timeout: this block
# is about trust; remote_cache_faults.sh is about timeouts.
export AOTPACK_REMOTE_CACHE_CONNECT_TIMEOUT=60
OUT=$(build_with tls0 tls0.aotpack --remote-cache "$URL_d" 2>&1)
cmp ref.aotpack tls0.aotpack
expect_in "certificate"
[ "$(json tls0.aotpack.json "d['remote_cache']['uploads']")" = 0 ] || fail "uploaded without trust"
AOTPACK_REMOTE_CACHE_CA=$CA_d build_with tls1 tls1.aotpack --remote-cache "$URL_d"
[ "$(json tls1.aotpack.json "d['remote_cache']['uploads'] >= 12")" = True ] || fail "TLS uploads failed"
AOTPACK_REMOTE_CACHE_CA=$CA_d build_with tls2 tls2.aotpack --remote-cache "$URL_d"
[ "$(job_hits tls2.aotpack.json)" = 12 ] || fail "TLS hits expected"
cmp ref.aotpack tls2.aotpack
unset AOTPACK_REMOTE_CACHE_CONNECT_TIMEOUT

# A shared directory (NFS in real life).
build_with f1 f1.aotpack --remote-cache "file://$WORK/shared"
build_with f2 f2.aotpack --remote-cache "file://$WORK/shared"
[ "$(job_hits f2.aotpack.json)" = 12 ] || fail "file:// hits expected"
cmp ref.aotpack f2.aotpack

# The ocloc drop-in reads and writes the same server through AOTPACK_REMOTE_CACHE.
"$AOTPACK" extract ref.aotpack --module reduce -o spv >/dev/null
spv=$(ls spv/*.spv | head -1)
dropin() { # dropin LOCAL OUTDIR
    mkdir -p "$2"
    (cd "$2" && AOTPACK_CACHE_DIR=$WORK/local-$1 AOTPACK_REMOTE_CACHE=$URL_a AOTPACK_LOG=1 \
        "$AOTPACK" ocloc compile -file "$WORK/$spv" -spirv_input -device pvc,acm-g10 -output k 2>&1)
}
OUT=$(dropin o1 out1)
expect_in "2 compiled"
OUT=$(dropin o2 out2)
expect_in "2 cache hit(s)"
[ -s out1/k ] || fail "the drop-in wrote no fat binary: $(ls out1)"
cmp out1/k out2/k || fail "a remote hit gave the drop-in other bytes"
OUT=$(AOTPACK_CACHE_DIR=$WORK/local-o2 "$AOTPACK" cache stats)
expect_in "remote cache: 2 hit(s)"

# Configurations that cannot work are usage errors (exit 2), one line, before any work.
expect_exit 2 "$AOTPACK" build -d pvc "${kernels[0]}" -o bad.aotpack --remote-cache ftp://host/x
expect_in "unsupported scheme"
[ "$(wc -l <<<"$OUT")" = 1 ] || fail "one line expected: $OUT"
expect_exit 2 env AOTPACK_REMOTE_CACHE_TIMEOUT=soon "$AOTPACK" build -d pvc "${kernels[0]}" \
    -o bad.aotpack --remote-cache "$URL_a"
expect_in "AOTPACK_REMOTE_CACHE_TIMEOUT 'soon'"
expect_exit 2 "$AOTPACK" build -d pvc "${kernels[0]}" -o bad.aotpack --remote-cache file://relative
[ ! -e bad.aotpack ] || fail "partial output"
expect_exit 2 "$AOTPACK" build -d pvc "${kernels[0]}" -o bad.aotpack --remote-cache "$URL_a" \
    --remote-cache-verify hmac
expect_in "needs the shared key in AOTPACK_REMOTE_CACHE_HMAC_KEY"

# Records a writer without the key cannot forge (docs/TRUST.md). A pull-request job without the
# key fills the cache with plain records; a release build that verifies uses none of them
# (counted), compiles, and writes records with an HMAC, which the next verifying build uses. A
# record put back without an HMAC, or one made under another key (right digests, the same job
# path), is never used.
devices=pvc
build_with pref pref.aotpack --no-cache
start_nginx h
start_nginx i
build_with pr pr.aotpack --remote-cache "$URL_h"
cp -r "$DATA_h/ac" plain-records
hmac=h-m4c-k3y-$RANDOM
AOTPACK_REMOTE_CACHE_HMAC_KEY=other-key build_with other other.aotpack --remote-cache "$URL_i"
export AOTPACK_REMOTE_CACHE_HMAC_KEY=$hmac
build_with rel1 rel1.aotpack --remote-cache "$URL_h" --remote-cache-verify hmac
cmp pref.aotpack rel1.aotpack || fail "a verifying build wrote other bytes"
[ "$(job_hits rel1.aotpack.json)" = 0 ] || fail "plain records were used"
[ "$(json rel1.aotpack.json "d['remote_cache']['unverified'] >= 3")" = True ] || fail "unverified not counted"
build_with rel2 rel2.aotpack --remote-cache "$URL_h" --remote-cache-verify hmac
[ "$(job_hits rel2.aotpack.json)" = 3 ] || fail "HMAC records not used"
records=$(cd "$DATA_h/ac" && ls | head -2)
first=$(head -1 <<<"$records") second=$(tail -1 <<<"$records")
cp "plain-records/$first" "$DATA_h/ac/$first"   # no HMAC
cp "$DATA_i/ac/$second" "$DATA_h/ac/$second"    # another key's HMAC
build_with rel3 rel3.aotpack --remote-cache "$URL_h" --remote-cache-verify hmac
cmp pref.aotpack rel3.aotpack || fail "a forged record changed the archive"
[ "$(json rel3.aotpack.json "d['remote_cache']['unverified']")" = 2 ] || fail "forged records not refused"
# Neither in reports, outputs, the records, nor the servers' logs.
! grep -rqF -- "$hmac" . || fail "the HMAC key appears in: $(grep -rlF -- "$hmac" .)"
unset AOTPACK_REMOTE_CACHE_HMAC_KEY
echo "PASS: remote_cache"
