#!/usr/bin/env bash
# Byte-reproducible archives (the device list is recorded as written, so it stays the same):
# other input order, other directory, other thread count, no cache,
# a response file, a manifest: the same bytes.
source "$(dirname "$0")/common.sh"

mkdir -p one two/deeper
cp "$SRC"/examples/kernels/*.cl one/
cp "$SRC"/examples/kernels/*.cl two/deeper/
(cd one && "$AOTPACK" build -q -d ats-m150,pvc vector_ops.cl reduce.cl histogram.cl -o ../a.aotpack -j1)
(cd two && "$AOTPACK" build -q -d ats-m150,pvc deeper/histogram.cl deeper/vector_ops.cl deeper/reduce.cl -o ../b.aotpack -j2 --no-cache)
cmp a.aotpack b.aotpack || fail "input order, directory or -j changed the archive"
# Long-lived compile workers (the default) and one ocloc process per job give the same bytes.
(cd two && "$AOTPACK" build -q -d ats-m150,pvc deeper/reduce.cl deeper/vector_ops.cl deeper/histogram.cl -o ../p.aotpack --no-cache --compile-mode processes)
cmp a.aotpack p.aotpack || fail "--compile-mode processes changed the archive"

printf -- '-d ats-m150,pvc\n-q\none/reduce.cl one/vector_ops.cl one/histogram.cl\n-o c.aotpack\n' > args.rsp
"$AOTPACK" build @args.rsp
cmp a.aotpack c.aotpack || fail "response file build differs"

cat > modules.json <<'JSON'
{"modules": [{"source": "one/vector_ops.cl"}, {"source": "one/reduce.cl"}, {"source": "one/histogram.cl"}]}
JSON
"$AOTPACK" build -q -d ats-m150,pvc --manifest modules.json -o d.aotpack
cmp a.aotpack d.aotpack || fail "manifest build differs"
