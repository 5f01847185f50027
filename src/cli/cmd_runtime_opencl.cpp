// `aotpack load --api opencl` and `warm --api opencl`: every module on every OpenCL GPU through
// libaotpack_rt's OpenCL API (the loader dlopen'ed, as the runtime does).
#include "aotpack/runtime_opencl.h"
#include "cli/runtime_loads.h"
#include "common/diagnostics.h"
#include "common/text.h"
#include "runtime/opencl_library.h"
#include "runtime/result_codes.h"

#include <algorithm>

namespace aotpack::cli {

namespace {

// The GPUs of every OpenCL platform (the loader dlopen'ed, as the runtime does).
std::vector<cl_device_id> openClGpus(const runtime::OpenClLibrary& cl) {
    cl_uint platformCount = 0;
    cl.getPlatformIDs(0, nullptr, &platformCount);
    std::vector<cl_platform_id> platforms(platformCount);
    if (platformCount) cl.getPlatformIDs(platformCount, platforms.data(), nullptr);
    std::vector<cl_device_id> out;
    for (auto p : platforms) {
        cl_uint n = 0;
        if (cl.getDeviceIDs(p, CL_DEVICE_TYPE_GPU, 0, nullptr, &n) != CL_SUCCESS || !n) continue;
        std::vector<cl_device_id> devices(n);
        cl.getDeviceIDs(p, CL_DEVICE_TYPE_GPU, n, devices.data(), nullptr);
        out.insert(out.end(), devices.begin(), devices.end());
    }
    return out;
}

std::vector<std::string> programKernels(const runtime::OpenClLibrary& cl, cl_program program,
                                        const std::vector<std::string>& dropped) {
    size_t size = 0;
    cl.getProgramInfo(program, CL_PROGRAM_KERNEL_NAMES, 0, nullptr, &size);
    std::string names(size, '\0');
    if (size) cl.getProgramInfo(program, CL_PROGRAM_KERNEL_NAMES, size, names.data(), nullptr);
    std::vector<std::string> kept;
    for (auto& k : split(std::string(names.c_str()), ';'))
        if (!k.empty() && std::find(dropped.begin(), dropped.end(), k) == dropped.end())
            kept.push_back(k);
    return kept;
}

void loadOneCl(const runtime::OpenClLibrary& cl, const LoadSetup& s, cl_device_id dev,
               const std::string& module, LoadResults& results) {
    cl_int error = CL_SUCCESS;
    cl_context ctx = cl.createContext(nullptr, 1, &dev, nullptr, nullptr, &error);
    cl_program program = nullptr;
    aotpack_load_info info{};
    auto r = ctx ? aotpack_cl_program_create(s.archive, ctx, dev, module.c_str(), &s.options,
                                             &program, &info)
                 : AOTPACK_ERROR_OPENCL;
    if (r != AOTPACK_SUCCESS) {
        diag::error("module '" + module + "': " +
                    (ctx ? aotpack_last_error()
                         : "clCreateContext failed (" + std::to_string(error) + ")"));
        if (!results.failure) results.failure = runtime::errcFor(r);
        if (ctx) cl.releaseContext(ctx);
        return;
    }
    std::string why = aotpack_last_reason(); // whole: info.reason may be cut
    auto dropped = droppedKernels();
    auto kernels = programKernels(cl, program, dropped);
    cl.releaseProgram(program);
    cl.releaseContext(ctx);
    recordLoad(info, why, module, kernels, dropped, results);
}

} // namespace

Status loadOpenCl(const std::string& only, LoadSetup& s, LoadResults& results) {
    std::string whyNot;
    const auto* cl = runtime::openClLibrary(whyNot);
    if (!cl) return makeError(Errc::NoDevice, whyNot);
    auto devices = openClGpus(*cl);
    if (devices.empty()) return makeError(Errc::NoDevice, "OpenCL reports no GPU device");
    for (auto dev : devices)
        for (const auto& module : s.modules(only))
            loadOneCl(*cl, s, dev, module, results);
    return success();
}

} // namespace aotpack::cli
