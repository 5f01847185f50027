#include "runtime/opencl_library.h"

#include <dlfcn.h>
#include <mutex>

namespace aotpack::runtime {

namespace {

template <typename Fn> bool bind(void* library, const char* name, Fn& out, std::string& missing) {
    out = reinterpret_cast<Fn>(dlsym(library, name));
    if (!out) missing += (missing.empty() ? "" : ", ") + std::string(name);
    return out != nullptr;
}

} // namespace

const OpenClLibrary* openClLibrary(std::string& whyNot) {
    static OpenClLibrary lib;
    static std::string failure;
    static std::once_flag once;
    std::call_once(once, [] {
        void* handle = dlopen("libOpenCL.so.1", RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            failure = std::string("no OpenCL loader (") + dlerror() + ")";
            return;
        }
        std::string missing;
        bind(handle, "clGetPlatformIDs", lib.getPlatformIDs, missing);
        bind(handle, "clGetDeviceIDs", lib.getDeviceIDs, missing);
        bind(handle, "clCreateContext", lib.createContext, missing);
        bind(handle, "clReleaseContext", lib.releaseContext, missing);
        bind(handle, "clGetDeviceInfo", lib.getDeviceInfo, missing);
        bind(handle, "clCreateProgramWithBinary", lib.createProgramWithBinary, missing);
        bind(handle, "clCreateProgramWithIL", lib.createProgramWithIL, missing);
        bind(handle, "clBuildProgram", lib.buildProgram, missing);
        bind(handle, "clGetProgramInfo", lib.getProgramInfo, missing);
        bind(handle, "clGetProgramBuildInfo", lib.getProgramBuildInfo, missing);
        bind(handle, "clReleaseProgram", lib.releaseProgram, missing);
        if (!missing.empty()) failure = "the OpenCL loader lacks " + missing;
    });
    whyNot = failure;
    return failure.empty() ? &lib : nullptr;
}

} // namespace aotpack::runtime
