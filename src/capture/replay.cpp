#include "capture/replay.h"
#include "common/diagnostics.h"

#include "capture/serving.h"
#include "runtime/device_identity.h"

#include <cstdio>
#include <map>
#include <mutex>
#include <pthread.h>
#include <set>
#include <string_view>

namespace aotpack::capture {

namespace {

// One lock for the device table; fork() takes it first, so a child never inherits it locked.
std::mutex tableLock;
struct KnownDevice {
    std::uint32_t ip = 0;
    std::string driverVersion;
};
std::map<ze_device_handle_t, KnownDevice> knownDevices;
std::set<ze_module_handle_t> hidingModules;

void installForkHandlers() {
    static std::once_flag once;
    std::call_once(once, [] {
        pthread_atfork([] { tableLock.lock(); }, [] { tableLock.unlock(); },
                       [] { tableLock.unlock(); });
    });
}

KnownDevice knownDevice(ze_device_handle_t device) {
    installForkHandlers();
    {
        std::lock_guard<std::mutex> lock(tableLock);
        if (auto it = knownDevices.find(device); it != knownDevices.end()) return it->second;
    }
    auto identity = runtime::identifyDevice(device);
    KnownDevice known{identity ? identity->ip : 0, identity ? identity->driverVersion : ""};
    std::lock_guard<std::mutex> lock(tableLock);
    knownDevices[device] = known;
    return known;
}

std::uint32_t deviceIp(ze_device_handle_t device) {
    return knownDevice(device).ip;
}

std::string hexResult(ze_result_t r) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%x", static_cast<unsigned>(r));
    return text;
}

// The call's module created from `binary` in native format (its constants were applied when the
// binary was made); the build log is handed over only when the driver takes it.
ze_result_t createNative(const ModuleCall& call, ByteView binary, const CreateModule& create,
                         ze_module_build_log_handle_t* buildLog) {
    ze_module_desc_t native = *call.desc;
    native.format = ZE_MODULE_FORMAT_NATIVE;
    native.inputSize = binary.size();
    native.pInputModule = binary.data();
    native.pConstants = nullptr;
    ze_module_build_log_handle_t log = nullptr;
    ze_result_t r = create(&native, buildLog ? &log : nullptr);
    if (r == ZE_RESULT_SUCCESS && buildLog)
        *buildLog = log;
    else if (log)
        zeModuleBuildLogDestroy(log);
    return r;
}

} // namespace

std::optional<ModuleCall> describeCall(const ze_module_desc_t& desc) {
    ModuleCall call;
    call.desc = &desc;
    call.spirv = ByteView(static_cast<const std::uint8_t*>(desc.pInputModule), desc.inputSize);
    call.flags = desc.pBuildFlags ? desc.pBuildFlags : "";
    const ze_module_constants_t* c = desc.pConstants;
    auto constants =
        c ? readConstants(call.spirv, c->numConstants, c->pConstantIds, c->pConstantValues)
          : std::optional<std::vector<SpecConstant>>(std::vector<SpecConstant>{});
    if (!constants) return std::nullopt;
    call.constants = std::move(*constants);
    call.name = moduleName(moduleKey(call.spirv, call.flags, call.constants));
    return call;
}

std::string deviceIpText(ze_device_handle_t device) {
    return ipText(deviceIp(device));
}

void rememberServed(ze_module_handle_t module, ByteView spirv) {
    std::string_view text(reinterpret_cast<const char*>(spirv.data()), spirv.size());
    if (text.find(kSymbolTableKernel) != std::string_view::npos) return; // a kernel of its own
    std::lock_guard<std::mutex> lock(tableLock);
    hidingModules.insert(module);
}

bool hidesSymbolTable(ze_module_handle_t module) {
    std::lock_guard<std::mutex> lock(tableLock);
    return hidingModules.count(module) != 0;
}

void forgetModule(ze_module_handle_t module) {
    std::lock_guard<std::mutex> lock(tableLock);
    hidingModules.erase(module);
}

Hash128 fleetKeyOf(const ModuleCall& call, ze_device_handle_t device) {
    KnownDevice d = knownDevice(device);
    return fleetKey(call.name, d.ip, d.driverVersion);
}

Served serve(const ModuleCall& call, ze_device_handle_t device, const std::string& archiveList,
             const CreateModule& create, ze_module_build_log_handle_t* buildLog) {
    auto outcome =
        serveNative(call.name, {deviceIp(device), ""}, archiveList, fleetKeyOf(call, device),
                    [&](ByteView native, std::string& whyRejected) {
                        ze_result_t r = createNative(call, native, create, buildLog);
                        whyRejected = hexResult(r);
                        return r == ZE_RESULT_SUCCESS;
                    });
    if (!outcome.served) return Served{std::nullopt, outcome.what};
    return Served{ZE_RESULT_SUCCESS, outcome.what};
}

void shareJitResult(const ModuleCall& call, ze_device_handle_t device, ze_module_handle_t module) {
    std::size_t size = 0;
    if (!fleetWantsUploads() ||
        zeModuleGetNativeBinary(module, &size, nullptr) != ZE_RESULT_SUCCESS || !size)
        return;
    Bytes binary(size);
    if (zeModuleGetNativeBinary(module, &size, binary.data()) == ZE_RESULT_SUCCESS)
        capture::shareJitResult(fleetKeyOf(call, device), binary);
}

} // namespace aotpack::capture
