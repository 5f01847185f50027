// The preload library's decisions, apart from the interposition itself (preload.cpp): what a
// zeModuleCreate call is, which device it is for, and whether an archive can serve it natively.
#pragma once

#include "capture/module_identity.h"

#include <level_zero/ze_api.h>

#include <functional>
#include <optional>
#include <string>

namespace aotpack::capture {

struct ModuleCall {
    const ze_module_desc_t* desc = nullptr;
    ByteView spirv;
    std::string flags;
    std::vector<SpecConstant> constants;
    std::string name; // moduleName(moduleKey(...)): the archive module that would serve it
};

// Nothing when the call's constants cannot be read against its SPIR-V (never served).
std::optional<ModuleCall> describeCall(const ze_module_desc_t& desc);

// "12.60.7", or "unknown" for a device aotpack's database does not know (remembered per device).
std::string deviceIpText(ze_device_handle_t device);

struct Served {
    std::optional<ze_result_t> result; // the native module's creation; nothing: call the original
    std::string what;                  // for AOTPACK_LOG
};
// Creates the module from `native` (a copy of the call's descriptor, in native format).
using CreateModule =
    std::function<ze_result_t(const ze_module_desc_t* native, ze_module_build_log_handle_t* log)>;

// Serves `call` with the first native binary the archives of `archiveList` hold for the device.
// A binary the driver rejects is not an error: the caller then makes the original call.
Served serve(const ModuleCall& call, ze_device_handle_t device, const std::string& archiveList,
             const CreateModule& create, ze_module_build_log_handle_t* buildLog);

// With AOTPACK_RUNTIME_REMOTE_UPLOAD=1 (and the fleet's server and a write token): the native
// binary of a module the program JIT-compiled, shared (runtime/remote_jit.h).
void shareJitResult(const ModuleCall& call, ze_device_handle_t device, ze_module_handle_t module);

// Modules served natively whose SPIR-V has no kernel named kSymbolTableKernel: their kernel
// list hides the one the zebin adds.
constexpr const char* kSymbolTableKernel = "Intel_Symbol_Table_Void_Program";
void rememberServed(ze_module_handle_t module, ByteView spirv);
bool hidesSymbolTable(ze_module_handle_t module);
void forgetModule(ze_module_handle_t module);

} // namespace aotpack::capture
