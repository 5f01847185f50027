// Where replay finds a native binary for a module a program is about to JIT-compile, whatever the
// API (Level Zero: replay.cpp, OpenCL: opencl_replay.cpp): the archives of AOTPACK_ARCHIVE (opened
// once, under the trust policy), a slim archive's natives fetched by hash, and the fleet's JIT
// results (runtime/remote_jit.h). The API-specific part is only handing bytes to the driver.
#pragma once

#include "common/file_io.h"
#include "common/hash.h"

#include <cstdint>
#include <functional>
#include <string>

namespace aotpack::capture {

// Hands `native` to the driver; false (and why, for AOTPACK_LOG) when the driver rejects it.
using TryNative = std::function<bool(ByteView native, std::string& whyRejected)>;

struct ServeOutcome {
    bool served = false;
    std::string what; // "native 12.60.7 from app.aotpack", or why the program's own JIT runs
};

// The device a module is served for: its IP and, when known, its driver's release ("22.43").
struct ServedDevice {
    std::uint32_t ip = 0;
    std::string driverRelease;
};

// The first native the archives of `archiveList` (colon-separated) hold for module `name` on the
// device that the driver takes; then, outside a trust policy, the fleet's result under
// `fleetKey`. A native built by a compiler newer than the device's driver is not served: NEO
// 22.43's OpenCL driver takes ocloc 26.27's zebin and crashes in clSetKernelArg.
ServeOutcome serveNative(const std::string& name, const ServedDevice& device,
                         const std::string& archiveList, const Hash128& fleetKey,
                         const TryNative& tryNative);

// The fleet's key of a module JIT-compiled on a device by a driver (its version string).
Hash128 fleetKey(const std::string& name, std::uint32_t ip, const std::string& driverVersion);

// With AOTPACK_RUNTIME_REMOTE_UPLOAD=1 (and the fleet's server and a write token): the native
// binary of a module the program JIT-compiled, shared.
bool fleetWantsUploads();
void shareJitResult(const Hash128& fleetKey, ByteView native);

// "12.60.7", or "unknown" for IP 0 (a device aotpack's database does not know).
std::string ipText(std::uint32_t ip);

} // namespace aotpack::capture
