// Example kernels for the CMake consumer: simple float vector operations.
#include "scale.h"

__kernel void vadd(__global const float* a, __global const float* b, __global float* c) {
    size_t i = get_global_id(0);
    c[i] = a[i] + b[i];
}

__kernel void saxpy(float alpha, __global const float* x, __global float* y) {
    size_t i = get_global_id(0);
    y[i] = SCALE(alpha, x[i]) + y[i];
}
