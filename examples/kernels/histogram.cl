// Example kernel with atomics: a 256-bin byte histogram.
__kernel void histogram(__global const uchar* data, __global uint* bins) {
    atomic_inc(&bins[data[get_global_id(0)]]);
}
