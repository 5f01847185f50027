# An OpenCL application that knows nothing of aotpack (tests/e2e/opencl_capture.sh): pyopencl
# builds one program from OpenCL C that includes a header through -I, and one from SPIR-V
# (clCreateProgramWithIL), then prints what an application sees of them.
#   pyopencl_app.py INCLUDE_DIR SPIRV_FILE [OPTION]
import sys

import pyopencl as cl

include_dir, spirv_file = sys.argv[1], sys.argv[2]
option = sys.argv[3] if len(sys.argv) > 3 else "-DOFFSET=1"
ctx = cl.create_some_context(interactive=False)
dev = ctx.devices[0]
source = """#include "scale.h"
__kernel void scale(__global int* a) { a[get_global_id(0)] = a[get_global_id(0)] * SCALE + OFFSET; }
__kernel void twice(__global float* a) { a[0] *= 2.0f; }
"""
programs = {
    "source": cl.Program(ctx, source).build(options=[option, "-I", include_dir]),
    "il": cl.Program(ctx, open(spirv_file, "rb").read()).build(options=["-cl-fast-relaxed-math"]),
}
buf = cl.Buffer(ctx, cl.mem_flags.READ_WRITE, 256)
for name, p in programs.items():
    kernels = sorted(k.function_name for k in p.all_kernels())
    print(name, "kernels", kernels)
    print(name, "status", p.get_build_info(dev, cl.program_build_info.STATUS))
    print(name, "binary", p.get_info(cl.program_info.BINARY_SIZES)[0] > 0)
    k = cl.Kernel(p, kernels[0])
    print(name, "kernel's program is the program", k.program == p)
    k.set_arg(0, buf)
    print(name, "argument set")
