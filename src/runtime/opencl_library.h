// libOpenCL.so.1, loaded at the first OpenCL call of the runtime (dlopen): a program that uses
// only Level Zero never loads it, and libaotpack_rt does not depend on it.
#pragma once

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 300
#endif
#include <CL/cl.h>

#include <string>

namespace aotpack::runtime {

struct OpenClLibrary {
    decltype(&clGetPlatformIDs) getPlatformIDs = nullptr;
    decltype(&clGetDeviceIDs) getDeviceIDs = nullptr;
    decltype(&clCreateContext) createContext = nullptr;
    decltype(&clReleaseContext) releaseContext = nullptr;
    decltype(&clGetDeviceInfo) getDeviceInfo = nullptr;
    decltype(&clCreateProgramWithBinary) createProgramWithBinary = nullptr;
    decltype(&clCreateProgramWithIL) createProgramWithIL = nullptr;
    decltype(&clBuildProgram) buildProgram = nullptr;
    decltype(&clGetProgramInfo) getProgramInfo = nullptr;
    decltype(&clGetProgramBuildInfo) getProgramBuildInfo = nullptr;
    decltype(&clReleaseProgram) releaseProgram = nullptr;
};

// The process's loader, loaded once; null (and `whyNot`) when there is none or it lacks an entry
// point (OpenCL before 2.1 has no clCreateProgramWithIL).
const OpenClLibrary* openClLibrary(std::string& whyNot);

} // namespace aotpack::runtime
