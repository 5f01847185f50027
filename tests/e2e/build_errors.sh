#!/usr/bin/env bash
# Bad input to `aotpack build`: a clear message naming the input, a documented exit code, and no
# output file.
source "$(dirname "$0")/common.sh"

cp "$SRC/tests/data/garbage.spv" garbage.spv
expect_exit 3 "$AOTPACK" build -d pvc garbage.spv -o out.aotpack
expect_in "aotpack: error: module 'garbage' ("
expect_in "is not SPIR-V"
[ ! -e out.aotpack ] || fail "partial output written"

mkdir -p a b
cp "$SRC/examples/kernels/reduce.cl" a/
cp "$SRC/examples/kernels/reduce.cl" b/
expect_exit 3 "$AOTPACK" build -d pvc a/reduce.cl b/reduce.cl -o out.aotpack
expect_in "two inputs give the module name 'reduce'"

expect_exit 5 "$AOTPACK" build -d pvc,bmg a -o out.aotpack
expect_in "cannot build bmg-g21 (20.1.0); a newer intel-opencl-icd is needed"

expect_exit 2 "$AOTPACK" build -d pvcc a -o out.aotpack
expect_in "did you mean 'pvc'?"
expect_exit 2 "$AOTPACK" build -d pvc -o out.aotpack
expect_in "no input modules"
expect_exit 3 "$AOTPACK" build -d pvc missing.cl -o out.aotpack
expect_in "input 'missing.cl' does not exist"
echo '{"modules": [{"name": "x"}]}' > bad.json
expect_exit 3 "$AOTPACK" build -d pvc --manifest bad.json -o out.aotpack
expect_in "module 1: each module needs a \"source\" string"

# OpenCL C that does not compile: the compiler's message, with the module named.
echo '__kernel void k(__global int* p) { p[0] = undefined_name; }' > broken.cl
expect_exit 1 "$AOTPACK" build -d pvc broken.cl -o out.aotpack
expect_in "module 'broken'"
expect_in "undefined_name"

# An output directory that does not exist: error 6, nothing written.
expect_exit 6 "$AOTPACK" build -d pvc a -o no/such/dir/out.aotpack
[ ! -e out.aotpack ] || fail "partial output written"
