// aotpack_module_create's and aotpack_cl_program_create's work: select an entry, create the
// module through the GPU API (gpu_api.h), fall back to SPIR-V when the driver rejects a native
// binary, and keep JIT results in the persistent JIT cache.
#pragma once

#include "aotpack/runtime.h"
#include "archive/reader.h"
#include "archive/signing.h"
#include "common/error.h"
#include "runtime/device_identity.h"
#include "runtime/gpu_api.h"
#include "runtime/selector.h"

namespace aotpack::runtime {

// AOTPACK_POLICY_DEFAULT becomes $AOTPACK_POLICY, else prefer-native.
Policy resolvePolicy(aotpack_policy policy);

void fillInfo(aotpack_load_info& info, const Selection& s, std::uint32_t deviceIp);

// The calling thread's last load or selection reason, whole (aotpack_last_reason).
const std::string& lastReason();

// The kernels the calling thread's last load or selection does not provide, comma-separated
// (aotpack_last_dropped_kernels); recorded from the entry finally used.
const std::string& lastDroppedKernels();
void recordDroppedKernels(const archive::ArchiveReader& archive, std::string_view module,
                          const Selection& s, std::uint32_t deviceIp);

// Clears both for a new call, so a call that fails before selecting (no such module) does not
// leave the previous call's reason and kernels behind.
void forgetLastCall();

// An archive to load from and, under a trust policy, what vouches for its payloads (null: no
// policy). Every payload is checked against the signature before it reaches the driver.
struct TrustedSource {
    const archive::ArchiveReader& archive;
    const archive::VerifiedArchive* trust = nullptr;
};

// Loads `module` through `api` for the device `id` describes.
Status loadModule(const TrustedSource& source, GpuApi& api, const DeviceIdentity& id,
                  const char* module, const aotpack_load_options* options, aotpack_load_info& info);

} // namespace aotpack::runtime
