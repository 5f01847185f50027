// A module that needs fp64: DG2 and Xe-LP lack it (see --fp64).
__kernel void dadd(__global double* a) { a[get_global_id(0)] += 1.0; }
__kernel void fadd(__global float* a) { a[get_global_id(0)] += 1.0f; }
