// The OpenCL half of capture and replay (docs/CAPTURE.md "OpenCL"): the programs an application
// creates from OpenCL C source or SPIR-V, recorded when they are built (capture), and built from
// an archive's native binary instead (replay). A served program keeps the handle the application
// holds: the layer (opencl_layer.cpp) sends the calls that read its build - kernels, binaries,
// build status and log - to the program built from the native binary, and everything else to
// the application's own. A program that is compiled and linked separately, or that sets
// specialization constants, is left to the driver.
#pragma once

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 300
#endif
#include <CL/cl_icd.h>

namespace aotpack::capture::opencl {

// The layer below this one (the loader's dispatch to the drivers), set once by clInitLayer.
void setNext(const _cl_icd_dispatch* next);
const _cl_icd_dispatch& next();

// After the application created `program` from source or IL.
void rememberSource(cl_program program, cl_uint count, const char** strings, const size_t* lengths);
void rememberIl(cl_program program, const void* il, size_t length);
// The program's build is the driver's alone (clCompileProgram, specialization constants).
void forget(cl_program program);

using BuildNotify = void(CL_CALLBACK*)(cl_program, void*);
// clBuildProgram: served from a native binary, or the application's own call (and captured).
cl_int build(cl_program program, cl_uint numDevices, const cl_device_id* devices,
             const char* options, BuildNotify notify, void* userData);

// The program built from a native binary that stands in for `program`, or `program` itself.
cl_program builtProgram(cl_program program);
// The application's handle of a program built from a native binary, or `program` itself.
cl_program applicationProgram(cl_program program);
// Before the application's clReleaseProgram: the last reference also drops the native program.
void beforeRelease(cl_program program);

} // namespace aotpack::capture::opencl
