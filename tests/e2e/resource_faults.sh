#!/usr/bin/env bash
# Resource faults: a file-size limit while writing the archive, an unusable cache directory, a
# compiler starved of memory, a symlink planted in an extract directory. Each: a clear error,
# nothing torn, nothing written where it should not be.
source "$(dirname "$0")/common.sh"
k=$SRC/examples/kernels

# RLIMIT_FSIZE of 8 KiB: the 12 KiB archive cannot be written: exit 6, no output, no temp file.
expect_exit 6 bash -c "ulimit -f 8; exec \"$AOTPACK\" build -q -d ats-m150,pvc \"$k\" -o out.aotpack --no-cache"
expect_in "cannot write"
[ ! -e out.aotpack ] || fail "partial archive"
[ -z "$(ls -A . | grep tmp)" ] || fail "temporary file left: $(ls -A)"

# A cache that cannot be used never fails a build: one warning, built without it.
expect_exit 0 "$AOTPACK" build -q -d pvc "$k" -o out.aotpack --cache-dir /dev/null/cache
expect_in "warning: cannot create cache directory '/dev/null/cache'"
expect_in "building without a cache"
rm out.aotpack

# A compiler that runs out of memory (address space capped at 150 MB): its jobs fail, reported.
cat > starved-ocloc <<'SH'
#!/usr/bin/env bash
[ "$1" = compile ] && ulimit -v 150000
exec ocloc "$@"
SH
chmod +x starved-ocloc
AOTPACK_OCLOC=$PWD/starved-ocloc expect_exit 1 "$AOTPACK" build -q -d pvc "$SRC/tests/data/vector_ops.spv" -o out.aotpack --no-cache
expect_in "for target pvc (12.60.7): ocloc failed: exit code 250 (ocloc OUT_OF_HOST_MEMORY)"
[ ! -e out.aotpack ] || fail "archive written although jobs failed"

# A symlink planted where extract writes is replaced, never followed.
"$AOTPACK" build -q -d pvc "$k" -o k.aotpack --no-cache
mkdir -p out && echo secret > outside.txt
ln -s "$PWD/outside.txt" out/reduce.spv
expect_exit 0 "$AOTPACK" extract k.aotpack --module reduce -o out
[ "$(cat outside.txt)" = secret ] || fail "extract wrote through a symlink"
[ ! -L out/reduce.spv ] || fail "symlink still there"
