// Included by vector_ops.cl: editing this header rebuilds the archive (aotpack build --depfile).
#define SCALE(alpha, x) ((alpha) * (x))
