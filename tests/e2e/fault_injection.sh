#!/usr/bin/env bash
# A compiler that crashes, exits 1 or hangs: the driver survives, reports each job with its
# target, writes no archive (or, with --keep-going, an archive of what succeeded), and never
# caches a failed result.
source "$(dirname "$0")/common.sh"
command -v ocloc >/dev/null || skip "ocloc not installed"

# The fake forwards probes and compiles to the real ocloc, except compiles for FAIL_IP, which it
# breaks in the way FAULT says.
cat > fake-ocloc <<'SH'
#!/usr/bin/env bash
if [ "$1" = compile ] && [[ " $* " == *" -device $FAIL_IP "* ]]; then
    case "$FAULT" in
        crash) echo "fake: segfaulting"; kill -SEGV $$ ;;
        exit1) echo "fake: error: something is wrong"; exit 1 ;;
        hang) sleep 600 ;;
    esac
fi
exec ocloc "$@"
SH
chmod +x fake-ocloc
export AOTPACK_OCLOC=$PWD/fake-ocloc FAIL_IP=12.60.7
k=$SRC/examples/kernels/vector_ops.cl

FAULT=crash expect_exit 1 "$AOTPACK" build -d ats-m150,pvc "$k" -o out.aotpack
expect_in "module 'vector_ops' for target pvc (12.60.7): ocloc failed: killed by signal 11"
expect_in "fake: segfaulting"
expect_in "1 of 2 compile jobs failed"
[ ! -e out.aotpack ] || fail "archive written although a job failed"

FAULT=exit1 expect_exit 1 "$AOTPACK" build -d ats-m150,pvc "$k" -o out.aotpack
expect_in "ocloc failed: exit code 1"
expect_in "fake: error: something is wrong"

# The hang (a 600 s sleep) is cut off by the timeout: the message says so, and no wall clock is
# read (a loaded machine would make any bound flaky; an uncut hang hits ctest's own timeout).
FAULT=hang expect_exit 1 "$AOTPACK" build -d ats-m150,pvc "$k" -o out.aotpack --timeout 2
expect_in "ocloc failed: timed out after 2 s"
! pgrep -f "sleep 600" >/dev/null || fail "the hung compiler's process group survived"

# --keep-going: the archive holds what succeeded and names what is missing; exit is still 1.
FAULT=crash expect_exit 1 "$AOTPACK" build -d ats-m150,pvc "$k" -o kept.aotpack --keep-going
"$AOTPACK" verify kept.aotpack
"$AOTPACK" list kept.aotpack > list.txt
grep -q "missing (not built: failed, or --skip-unsupported): vector_ops@pvc" list.txt || fail "missing target not recorded: $(cat list.txt)"
[ "$("$AOTPACK" list --targets kept.aotpack)" = acm-g10 ] || fail "wrong targets"

# The failed job was not cached: once the compiler works, only it compiles. (Same fake compiler:
# a different compiler is a different cache key.)
FAULT=none expect_exit 0 "$AOTPACK" build -d ats-m150,pvc "$k" -o out.aotpack
expect_in "(1 compiled, 1 from cache)"

# The same faults inside long-lived compile workers (the default mode): a fake libocloc breaks the
# pvc compiles of all three example modules. Each broken job takes only its worker down; the
# other target's jobs finish on the workers that replace it.
# (Sanitized builds always compile in processes: libocloc loads IGC with RTLD_DEEPBIND.)
[ -z "${AOTPACK_SANITIZED:-}" ] || exit 0
unset AOTPACK_OCLOC
export AOTPACK_LIBOCLOC=$FAKE_LIBOCLOC
kdir=$SRC/examples/kernels
FAULT=crash expect_exit 1 "$AOTPACK" build -d ats-m150,pvc "$kdir" -o w.aotpack -j2 --keep-going \
    --cache-dir wcache --json-report crash.json
expect_in "module 'reduce' for target pvc (12.60.7): ocloc failed: killed by signal 11"
expect_in "fake libocloc: segfaulting"
expect_in "3 of 6 compile jobs failed"
python3 - crash.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["compile_mode"] == "workers", r["compile_mode"]
ok = sorted((j["module"], j["target"]) for j in r["jobs"] if j["result"] == "compiled")
assert ok == [("histogram", "acm-g10"), ("reduce", "acm-g10"), ("vector_ops", "acm-g10")], ok
PY
[ "$("$AOTPACK" list --targets w.aotpack)" = acm-g10 ] || fail "wrong targets after worker crashes"

FAULT=exit1 expect_exit 1 "$AOTPACK" build -d ats-m150,pvc "$k" -o w.aotpack --cache-dir wcache
expect_in "ocloc failed: exit code 1"
expect_in "fake libocloc: error: something is wrong"

FAULT=hang expect_exit 1 "$AOTPACK" build -d ats-m150,pvc "$k" -o w.aotpack --timeout 2 --cache-dir wcache
expect_in "ocloc failed: timed out after 2 s"
! pgrep -f "__ocloc-worker $FAKE_LIBOCLOC" >/dev/null || fail "a worker outlived its build"

# Nothing failed was cached: with the faults gone, only the pvc jobs compile.
FAULT=none expect_exit 0 "$AOTPACK" build -d ats-m150,pvc "$kdir" -o w.aotpack --cache-dir wcache
expect_in "(3 compiled, 3 from cache)"
