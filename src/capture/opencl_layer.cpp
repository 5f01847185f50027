// The replay library's OpenCL half: the preload shim (preload_shim.c) is the OpenCL loader layer
// (cl_loader_layers; `aotpack capture` and `aotpack run` name it in OPENCL_LAYERS) and hands its
// clInitLayer here when capture or replay is asked for. A layer and not symbol interposition: the
// loader sends every call through its layers whether the application linked libOpenCL or dlopen'ed
// it (OpenCV and hashcat do; LD_PRELOAD does not reach them). Debian 12's loader, ocl-icd 2.3.1,
// implements the extension. Without AOTPACK_CAPTURE_DIR, AOTPACK_ARCHIVE or AOTPACK_RUNTIME_REMOTE
// the layer hands the loader its own dispatch back: it costs nothing.
#include "capture/opencl_programs.h"
#include "capture/preload_settings.h"

#include <CL/cl_layer.h>

#include <algorithm>
#include <cstring>

namespace aotpack::capture::opencl {
namespace {

_cl_icd_dispatch layerDispatch;

cl_program CL_API_CALL createWithSource(cl_context context, cl_uint count, const char** strings,
                                        const size_t* lengths, cl_int* error) {
    cl_program p = next().clCreateProgramWithSource(context, count, strings, lengths, error);
    if (p && strings) rememberSource(p, count, strings, lengths);
    return p;
}

cl_program CL_API_CALL createWithIl(cl_context context, const void* il, size_t length,
                                    cl_int* error) {
    cl_program p = next().clCreateProgramWithIL(context, il, length, error);
    if (p && il) rememberIl(p, il, length);
    return p;
}

cl_int CL_API_CALL buildProgram(cl_program program, cl_uint numDevices, const cl_device_id* devices,
                                const char* options, BuildNotify notify, void* userData) {
    return build(program, numDevices, devices, options, notify, userData);
}

cl_int CL_API_CALL compileProgram(cl_program program, cl_uint numDevices,
                                  const cl_device_id* devices, const char* options,
                                  cl_uint numHeaders, const cl_program* headers,
                                  const char** headerNames, BuildNotify notify, void* userData) {
    forget(program); // linked later with clLinkProgram: the driver's build
    return next().clCompileProgram(program, numDevices, devices, options, numHeaders, headers,
                                   headerNames, notify, userData);
}

cl_int CL_API_CALL setSpecConstant(cl_program program, cl_uint id, size_t size, const void* value) {
    forget(program); // not part of a captured module's identity
    return next().clSetProgramSpecializationConstant(program, id, size, value);
}

cl_kernel CL_API_CALL createKernel(cl_program program, const char* name, cl_int* error) {
    return next().clCreateKernel(builtProgram(program), name, error);
}

cl_int CL_API_CALL createKernels(cl_program program, cl_uint count, cl_kernel* kernels,
                                 cl_uint* countRet) {
    return next().clCreateKernelsInProgram(builtProgram(program), count, kernels, countRet);
}

// What the build made is read from the program built from the native binary; what the
// application gave (source, IL, context, devices, references) from its own.
cl_int CL_API_CALL getProgramInfo(cl_program program, cl_program_info param, size_t size,
                                  void* value, size_t* sizeRet) {
    static constexpr cl_program_info kBuilt[] = {CL_PROGRAM_BINARY_SIZES,
                                                 CL_PROGRAM_BINARIES,
                                                 CL_PROGRAM_NUM_KERNELS,
                                                 CL_PROGRAM_KERNEL_NAMES,
                                                 CL_PROGRAM_SCOPE_GLOBAL_CTORS_PRESENT,
                                                 CL_PROGRAM_SCOPE_GLOBAL_DTORS_PRESENT};
    bool built = std::find(std::begin(kBuilt), std::end(kBuilt), param) != std::end(kBuilt);
    return next().clGetProgramInfo(built ? builtProgram(program) : program, param, size, value,
                                   sizeRet);
}

cl_int CL_API_CALL getBuildInfo(cl_program program, cl_device_id device,
                                cl_program_build_info param, size_t size, void* value,
                                size_t* sizeRet) {
    return next().clGetProgramBuildInfo(builtProgram(program), device, param, size, value, sizeRet);
}

cl_int CL_API_CALL getKernelInfo(cl_kernel kernel, cl_kernel_info param, size_t size, void* value,
                                 size_t* sizeRet) {
    cl_int r = next().clGetKernelInfo(kernel, param, size, value, sizeRet);
    if (r == CL_SUCCESS && param == CL_KERNEL_PROGRAM && value && size >= sizeof(cl_program))
        *static_cast<cl_program*>(value) = applicationProgram(*static_cast<cl_program*>(value));
    return r;
}

cl_int CL_API_CALL releaseProgram(cl_program program) {
    beforeRelease(program);
    return next().clReleaseProgram(program);
}

void interpose(_cl_icd_dispatch& d) {
    d.clCreateProgramWithSource = createWithSource;
    d.clCreateProgramWithIL = createWithIl;
    d.clBuildProgram = buildProgram;
    d.clCompileProgram = compileProgram;
    d.clSetProgramSpecializationConstant = setSpecConstant;
    d.clCreateKernel = createKernel;
    d.clCreateKernelsInProgram = createKernels;
    d.clGetProgramInfo = getProgramInfo;
    d.clGetProgramBuildInfo = getBuildInfo;
    d.clGetKernelInfo = getKernelInfo;
    d.clReleaseProgram = releaseProgram;
}

} // namespace
} // namespace aotpack::capture::opencl

using namespace aotpack::capture;

// The loader's dispatch may be shorter than this header's (an older loader): the entries it
// lacks stay empty, and the layer never calls them.
extern "C" __attribute__((visibility("default"))) cl_int CL_API_CALL
aotpack_replay_clInitLayer(cl_uint numEntries, const _cl_icd_dispatch* target,
                           cl_uint* numEntriesOut, const _cl_icd_dispatch** layerDispatchOut) {
    if (!target || !numEntriesOut || !layerDispatchOut) return CL_INVALID_VALUE;
    constexpr cl_uint kEntries = sizeof(_cl_icd_dispatch) / sizeof(void*);
    opencl::setNext(target);
    if (!preloadSettings().active() || numEntries < kEntries) {
        *layerDispatchOut = target; // nothing to do, or a loader too old to interpose safely
        *numEntriesOut = numEntries;
        return CL_SUCCESS;
    }
    std::memcpy(&opencl::layerDispatch, target, sizeof opencl::layerDispatch);
    opencl::interpose(opencl::layerDispatch);
    *layerDispatchOut = &opencl::layerDispatch;
    *numEntriesOut = kEntries;
    return CL_SUCCESS;
}
