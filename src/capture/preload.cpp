// libaotpack_replay.so's Level Zero half: the preload shim (preload_shim.c, what `aotpack
// capture` and `aotpack run` LD_PRELOAD) hands it zeModuleCreate for SPIR-V modules, and from
// then on zeModuleGetKernelNames and zeModuleDestroy (replay_entry.h). For SPIR-V modules it
// - records them into $AOTPACK_CAPTURE_DIR (capture_dir.h), and/or
// - serves them from the archives of $AOTPACK_ARCHIVE (colon-separated) with the native binary
//   the runtime's selection picks for the device, falling back to the program's own call when
//   no archive has one or the driver rejects it.
// Everything else - native modules, other calls, programs that never create a module - goes to
// the real Level Zero untouched: nothing runs before the first zeModuleCreate.
#include "capture/capture_dir.h"
#include "capture/preload_settings.h"
#include "capture/replay.h"
#include "capture/replay_entry.h"
#include "common/diagnostics.h"

#include <level_zero/ze_api.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace aotpack::capture {
namespace {

// The program's own definitions, which the shim found (aotpack_replay_start).
aotpack_replay_next nextDefinitions{};

template <typename Fn> Fn next(void* aotpack_replay_next::*which) {
    return reinterpret_cast<Fn>(nextDefinitions.*which);
}

using ModuleCreateFn = ze_result_t (*)(ze_context_handle_t, ze_device_handle_t,
                                       const ze_module_desc_t*, ze_module_handle_t*,
                                       ze_module_build_log_handle_t*);
using KernelNamesFn = ze_result_t (*)(ze_module_handle_t, uint32_t*, const char**);
using ModuleDestroyFn = ze_result_t (*)(ze_module_handle_t);

ModuleCreateFn realModuleCreate() {
    static ModuleCreateFn real = next<ModuleCreateFn>(&aotpack_replay_next::zeModuleCreate);
    return real;
}

const PreloadSettings& settings() {
    return preloadSettings();
}

// Set while this thread is inside the real call: a layer below that calls zeModuleCreate again
// reaches the driver, not this library.
thread_local bool inRealCall = false;

ze_result_t callReal(ze_context_handle_t context, ze_device_handle_t device,
                     const ze_module_desc_t* desc, ze_module_handle_t* module,
                     ze_module_build_log_handle_t* log) {
    inRealCall = true;
    ze_result_t r = realModuleCreate()(context, device, desc, module, log);
    inRealCall = false;
    return r;
}

void capture(const ModuleCall& call, const std::string& deviceIp) {
    CapturedModule m;
    m.code = call.spirv;
    m.flags = call.flags;
    m.constants = call.constants;
    m.deviceIp = deviceIp;
    m.program = programName();
    if (auto st = recordModule(settings().captureDir, m); !st)
        diag::warning("capture: " + st.error().message);
    else
        say("capture: " + call.name + " (" + deviceIp + ") -> " + settings().captureDir);
}

} // namespace
} // namespace aotpack::capture

using namespace aotpack::capture;

namespace aotpack::capture {
namespace {

bool passesStraight(const ze_module_desc_t* desc, ze_module_handle_t* module) {
    const PreloadSettings& s = settings();
    return inRealCall || !desc || !module || desc->format != ZE_MODULE_FORMAT_IL_SPIRV ||
           (s.captureDir.empty() && s.archives.empty() && !s.fleet);
}

double millisecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

// Records the module (capture) and creates it natively (replay); nothing when the program's own
// call is to be made.
std::optional<ze_result_t> captureAndServe(ze_context_handle_t context, ze_device_handle_t device,
                                           const ze_module_desc_t& desc, ze_module_handle_t* module,
                                           ze_module_build_log_handle_t* buildLog) {
    const PreloadSettings& s = settings();
    auto start = std::chrono::steady_clock::now();
    auto call = describeCall(desc);
    if (!call) {
        say("replay: a SPIR-V module with constants it cannot read: passed through");
        return std::nullopt;
    }
    std::string ip = deviceIpText(device);
    if (!s.captureDir.empty()) capture(*call, ip);
    if (s.archives.empty() && !s.fleet) return std::nullopt;
    auto served = serve(
        *call, device, s.archives,
        [&](const ze_module_desc_t* native, ze_module_build_log_handle_t* log) {
            return callReal(context, device, native, module, log);
        },
        buildLog);
    if (s.log) { // time in aotpack: for a pass-through all of its cost, served with the load
        char took[32];
        std::snprintf(took, sizeof took, " (%.3f ms)", millisecondsSince(start));
        say("replay: " + call->name + " on " + ip + ": " + served.what + took);
    }
    if (served.result && *served.result == ZE_RESULT_SUCCESS) {
        try {
            rememberServed(*module, call->spirv);
        } catch (...) { // only the kernel list's symbol-table entry stays visible
        }
    }
    if (!served.result && s.fleet) { // the program's own JIT, shared when this node uploads
        ze_result_t r = callReal(context, device, &desc, module, buildLog);
        if (r == ZE_RESULT_SUCCESS) shareJitResult(*call, device, *module);
        return r;
    }
    return served.result;
}

} // namespace
} // namespace aotpack::capture

// Nothing thrown inside aotpack reaches the program: an internal failure makes the program's
// own call, with one warning.
extern "C" __attribute__((visibility("default"))) int
aotpack_replay_start(int abi, const aotpack_replay_next* next) {
    if (abi != AOTPACK_REPLAY_ABI || !next) return 0;
    nextDefinitions = *next;
    return 1;
}

extern "C" __attribute__((visibility("default"))) ze_result_t
aotpack_replay_zeModuleCreate(ze_context_handle_t context, ze_device_handle_t device,
                              const ze_module_desc_t* desc, ze_module_handle_t* module,
                              ze_module_build_log_handle_t* buildLog) {
    if (!realModuleCreate()) return ZE_RESULT_ERROR_UNINITIALIZED;
    if (passesStraight(desc, module)) return callReal(context, device, desc, module, buildLog);
    try {
        if (auto r = captureAndServe(context, device, *desc, module, buildLog)) return *r;
    } catch (const std::exception& e) {
        static std::once_flag once;
        std::call_once(once, [&] {
            aotpack::diag::warning(std::string("internal error (") + e.what() +
                                   "); modules are JIT-compiled");
        });
    } catch (...) {
    }
    return callReal(context, device, desc, module, buildLog);
}

// A zebin lists IGC's symbol-table kernel among its kernels; the driver's JIT of the same SPIR-V
// does not (22.43 JIT-compiles to patch tokens), so a served module hides it: same kernels.
extern "C" __attribute__((visibility("default"))) ze_result_t
aotpack_replay_zeModuleGetKernelNames(ze_module_handle_t module, uint32_t* count,
                                      const char** names) {
    static auto real = next<KernelNamesFn>(&aotpack_replay_next::zeModuleGetKernelNames);
    if (!real) return ZE_RESULT_ERROR_UNINITIALIZED;
    if (!count || !hidesSymbolTable(module)) return real(module, count, names);
    uint32_t all = 0;
    if (ze_result_t r = real(module, &all, nullptr); r != ZE_RESULT_SUCCESS) return r;
    std::vector<const char*> every(all);
    if (ze_result_t r = real(module, &all, every.data()); r != ZE_RESULT_SUCCESS) return r;
    std::vector<const char*> shown;
    for (const char* n : every)
        if (std::string_view(n) != kSymbolTableKernel) shown.push_back(n);
    if (!names || *count > shown.size()) *count = static_cast<uint32_t>(shown.size());
    for (uint32_t i = 0; names && i < *count; ++i)
        names[i] = shown[i];
    return ZE_RESULT_SUCCESS;
}

extern "C" __attribute__((visibility("default"))) ze_result_t
aotpack_replay_zeModuleDestroy(ze_module_handle_t module) {
    static auto real = next<ModuleDestroyFn>(&aotpack_replay_next::zeModuleDestroy);
    if (!real) return ZE_RESULT_ERROR_UNINITIALIZED;
    forgetModule(module); // before: the driver may hand the same handle to the next module
    return real(module);
}
