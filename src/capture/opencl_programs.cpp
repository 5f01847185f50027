#include "capture/opencl_programs.h"

#include "capture/capture_dir.h"
#include "capture/opencl_source.h"
#include "capture/preload_settings.h"
#include "capture/serving.h"
#include "common/diagnostics.h"
#include "runtime/cl_device_identity.h"

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace aotpack::capture::opencl {

namespace {

const _cl_icd_dispatch* below = nullptr;

struct ProgramCode {
    Language language = Language::Spirv;
    std::string code; // OpenCL C source, or the SPIR-V's bytes
};

// Never destroyed: an application may release programs from its own static destructors.
struct Table {
    std::mutex lock;
    std::map<cl_program, ProgramCode> code; // programs that may be served or captured
    std::map<cl_program, cl_program> built; // application's program -> built from a native
    std::map<cl_program, cl_program> owner; // the reverse
    std::map<cl_device_id, runtime::DeviceIdentity> devices; // asked once per device
};
Table& table() {
    static Table* t = new Table;
    return *t;
}

std::optional<ProgramCode> codeOf(cl_program program) {
    std::lock_guard<std::mutex> lock(table().lock);
    auto it = table().code.find(program);
    if (it == table().code.end()) return std::nullopt;
    return it->second;
}

std::vector<cl_device_id> programDevices(cl_program program) {
    cl_uint count = 0;
    if (below->clGetProgramInfo(program, CL_PROGRAM_NUM_DEVICES, sizeof count, &count, nullptr) !=
        CL_SUCCESS)
        return {};
    std::vector<cl_device_id> devices(count);
    if (below->clGetProgramInfo(program, CL_PROGRAM_DEVICES, count * sizeof(cl_device_id),
                                devices.data(), nullptr) != CL_SUCCESS)
        return {};
    return devices;
}

// The device's identity (runtime/cl_device_identity.h), asked of the driver once per device.
runtime::DeviceIdentity identity(cl_device_id device) {
    {
        std::lock_guard<std::mutex> lock(table().lock);
        if (auto it = table().devices.find(device); it != table().devices.end()) return it->second;
    }
    auto id = runtime::identifyClDevice([device](unsigned param, size_t size, void* value) {
        return below->clGetDeviceInfo(device, param, size, value, nullptr);
    });
    std::lock_guard<std::mutex> lock(table().lock);
    table().devices[device] = id;
    return id;
}

std::uint32_t deviceIp(cl_device_id device) {
    return identity(device).ip;
}

// The archive module that holds the program built with `options` (capture names it so).
std::string moduleNameOf(const ProgramCode& program, const std::string& options) {
    if (program.language == Language::OpenClC)
        return moduleName(openclSourceKey(program.code, options));
    ByteView il(reinterpret_cast<const std::uint8_t*>(program.code.data()), program.code.size());
    return moduleName(moduleKey(il, options, {}));
}

void captureBuild(const ProgramCode& program, const std::string& options, const std::string& name,
                  const std::vector<cl_device_id>& devices) {
    const std::string& dir = preloadSettings().captureDir;
    CapturedModule m;
    m.code =
        ByteView(reinterpret_cast<const std::uint8_t*>(program.code.data()), program.code.size());
    m.flags = options;
    m.program = programName();
    m.language = program.language;
    if (program.language == Language::OpenClC) m.headers = resolveHeaders(program.code, options);
    for (cl_device_id device : devices) {
        m.deviceIp = ipText(deviceIp(device));
        if (auto st = recordModule(dir, m); !st) {
            diag::warning("capture: " + st.error().message);
            return;
        }
        say("capture: " + name + " (" + m.deviceIp + ", OpenCL) -> " + dir);
    }
}

// A program of `context` for `devices` built from their native binaries with `options`; nothing
// when the driver takes neither the binaries nor the build.
cl_program buildNative(cl_context context, const std::vector<cl_device_id>& devices,
                       const std::vector<Bytes>& natives, const char* options, cl_int& error) {
    std::vector<size_t> lengths;
    std::vector<const unsigned char*> binaries;
    for (const auto& n : natives) {
        lengths.push_back(n.size());
        binaries.push_back(n.data());
    }
    cl_program native = below->clCreateProgramWithBinary(
        context, static_cast<cl_uint>(devices.size()), devices.data(), lengths.data(),
        binaries.data(), nullptr, &error);
    if (!native || error != CL_SUCCESS) return nullptr;
    error = below->clBuildProgram(native, static_cast<cl_uint>(devices.size()), devices.data(),
                                  options, nullptr, nullptr);
    if (error == CL_SUCCESS) return native;
    below->clReleaseProgram(native);
    return nullptr;
}

struct Attempt {
    cl_program native = nullptr;
    std::string what; // for AOTPACK_LOG
};

// Every device's native binary (archives, then the fleet's), and the program built from them.
Attempt serveProgram(cl_program program, const std::string& name,
                     const std::vector<cl_device_id>& devices, const char* options) {
    std::vector<Bytes> natives;
    std::string what;
    for (cl_device_id device : devices) {
        auto id = identity(device);
        auto outcome = serveNative(name, {id.ip, id.driverRelease}, preloadSettings().archives,
                                   fleetKey(name, id.ip, id.driverVersion),
                                   [&](ByteView native, std::string&) {
                                       natives.emplace_back(native.begin(), native.end());
                                       return true; // the driver judges them all at once
                                   });
        if (!outcome.served) return {nullptr, outcome.what};
        what += (what.empty() ? "" : "; ") + outcome.what;
    }
    cl_context context = nullptr;
    below->clGetProgramInfo(program, CL_PROGRAM_CONTEXT, sizeof(cl_context), &context, nullptr);
    cl_int error = CL_SUCCESS;
    cl_program native = buildNative(context, devices, natives, options, error);
    if (!native)
        return {nullptr, "the driver rejected the native binary (" + std::to_string(error) +
                             "): " + what + ": JIT"};
    return {native, what};
}

// The driver's own build of a program, shared with the fleet (one device: its binary).
void shareBuild(cl_program program, const std::string& name,
                const std::vector<cl_device_id>& devices) {
    if (!fleetWantsUploads() || devices.size() != 1) return;
    size_t size = 0;
    if (below->clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, nullptr) !=
            CL_SUCCESS ||
        !size)
        return;
    Bytes binary(size);
    unsigned char* data = binary.data();
    if (below->clGetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof data, &data, nullptr) ==
        CL_SUCCESS)
        shareJitResult(fleetKey(name, identity(devices[0]).ip, identity(devices[0]).driverVersion),
                       binary);
}

void logBuild(const std::string& name, const std::vector<cl_device_id>& devices,
              const std::string& what, std::chrono::steady_clock::time_point start) {
    if (!preloadSettings().log) return;
    std::string ips;
    for (cl_device_id d : devices)
        ips += (ips.empty() ? "" : ",") + ipText(deviceIp(d));
    char took[48];
    std::snprintf(
        took, sizeof took, " (%.3f ms)",
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    say("replay: " + name + " on " + ips + " (OpenCL): " + what + took);
}

} // namespace

void setNext(const _cl_icd_dispatch* next) {
    below = next;
}

const _cl_icd_dispatch& next() {
    return *below;
}

void rememberSource(cl_program program, cl_uint count, const char** strings,
                    const size_t* lengths) {
    ProgramCode code{Language::OpenClC, {}};
    for (cl_uint i = 0; i < count; ++i) // the driver's rule: length 0 or none: NUL-terminated
        code.code +=
            lengths && lengths[i] ? std::string(strings[i], lengths[i]) : std::string(strings[i]);
    std::lock_guard<std::mutex> lock(table().lock);
    table().code[program] = std::move(code);
}

void rememberIl(cl_program program, const void* il, size_t length) {
    std::lock_guard<std::mutex> lock(table().lock);
    table().code[program] = {Language::Spirv, std::string(static_cast<const char*>(il), length)};
}

void forget(cl_program program) {
    std::lock_guard<std::mutex> lock(table().lock);
    table().code.erase(program);
}

cl_int build(cl_program program, cl_uint numDevices, const cl_device_id* devices,
             const char* options, BuildNotify notify, void* userData) {
    auto code = codeOf(program);
    if (!code || builtProgram(program) != program) // not ours to serve, or served already
        return below->clBuildProgram(program, numDevices, devices, options, notify, userData);
    auto start = std::chrono::steady_clock::now();
    std::vector<cl_device_id> targets =
        numDevices ? std::vector<cl_device_id>(devices, devices + numDevices)
                   : programDevices(program);
    std::string flags = options ? options : "";
    std::string name = moduleNameOf(*code, flags);
    const PreloadSettings& s = preloadSettings();
    Attempt served;
    if (!s.archives.empty() || s.fleet) served = serveProgram(program, name, targets, options);
    if (served.native) {
        {
            std::lock_guard<std::mutex> lock(table().lock);
            table().built[program] = served.native;
            table().owner[served.native] = program;
        }
        if (!s.captureDir.empty()) captureBuild(*code, flags, name, targets);
        logBuild(name, targets, served.what, start);
        if (notify) notify(program, userData);
        return CL_SUCCESS;
    }
    cl_int r = below->clBuildProgram(program, numDevices, devices, options, notify, userData);
    if (r == CL_SUCCESS && !s.captureDir.empty()) captureBuild(*code, flags, name, targets);
    if (r == CL_SUCCESS && s.fleet) shareBuild(program, name, targets);
    if (!s.archives.empty() || s.fleet) logBuild(name, targets, served.what, start);
    return r;
}

cl_program builtProgram(cl_program program) {
    std::lock_guard<std::mutex> lock(table().lock);
    auto it = table().built.find(program);
    return it == table().built.end() ? program : it->second;
}

cl_program applicationProgram(cl_program program) {
    std::lock_guard<std::mutex> lock(table().lock);
    auto it = table().owner.find(program);
    return it == table().owner.end() ? program : it->second;
}

void beforeRelease(cl_program program) {
    cl_uint references = 0;
    if (below->clGetProgramInfo(program, CL_PROGRAM_REFERENCE_COUNT, sizeof references, &references,
                                nullptr) != CL_SUCCESS ||
        references != 1)
        return;
    cl_program native = nullptr;
    {
        std::lock_guard<std::mutex> lock(table().lock);
        table().code.erase(program);
        if (auto it = table().built.find(program); it != table().built.end()) {
            native = it->second;
            table().owner.erase(native);
            table().built.erase(it);
        }
    }
    if (native) below->clReleaseProgram(native); // its kernels keep it while they live
}

} // namespace aotpack::capture::opencl
