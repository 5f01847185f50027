# Sourced by tests of device-code containers (after common.sh): the pieces the real tools put in
# them, made the way those tools make them.

# spir_bitcode CLANG OUT: examples/kernels/reduce.cl as SPIR LLVM bitcode of CLANG's LLVM (what
# an OpenCL or SYCL device compile of that LLVM version writes before llvm-spirv).
spir_bitcode() {
    "$1" -cc1 -triple spir64-unknown-unknown -cl-std=CL2.0 -finclude-default-header -emit-llvm-bc \
        "$SRC/examples/kernels/reduce.cl" -o "$2"
}

# host_object OUT: a host object file with one function, the host part of a fat object.
host_object() {
    echo 'int host_fn(void) { return 1; }' >"$WORK/host_fn.c"
    clang-22 -c "$WORK/host_fn.c" -o "$1"
}
