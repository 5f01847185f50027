/* libaotpack_rt for OpenCL: a built cl_program for one device from an aotpack archive, chosen by
 * the same rules as aotpack_module_create (aotpack/runtime.h): the device's exact native binary,
 * then a compatible one, then the SPIR-V (clCreateProgramWithIL) built with the module's options,
 * its result kept in the JIT cache. A native built by a compiler newer than the device's driver
 * (CL_DRIVER_VERSION) is not used: NEO 22.43's OpenCL driver takes 26.27's zebins and then crashes
 * in clSetKernelArg.
 *
 * libOpenCL.so.1 is loaded (dlopen) at the first of these calls: programs that use only Level
 * Zero do not need it, and linking libaotpack_rt adds no OpenCL dependency. Without a loader the
 * calls return AOTPACK_ERROR_OPENCL. */
#ifndef AOTPACK_RUNTIME_OPENCL_H
#define AOTPACK_RUNTIME_OPENCL_H

#include "aotpack/runtime.h"

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 300
#endif
#include <CL/cl.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The IP version of an OpenCL device (CL_DEVICE_IP_VERSION_INTEL, or its PCI id through aotpack's
 * device database where the driver answers in the pre-2023 packing). AOTPACK_ERROR_NOT_FOUND for a
 * device neither names. */
AOTPACK_RT_API aotpack_result aotpack_cl_device_ip(cl_device_id device, uint32_t* ip);

/* A program of `context` for `device`, built, for module `module`. `options` and `info` may be
 * NULL; release it with clReleaseProgram. */
AOTPACK_RT_API aotpack_result aotpack_cl_program_create(aotpack_archive* archive,
                                                        cl_context context, cl_device_id device,
                                                        const char* module,
                                                        const aotpack_load_options* options,
                                                        cl_program* out, aotpack_load_info* info);

#ifdef __cplusplus
}
#endif

#endif /* AOTPACK_RUNTIME_OPENCL_H */
