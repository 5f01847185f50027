// aotpack_module_create's work: identify the device, select an entry, create the module through
// Level Zero, fall back to SPIR-V when the driver rejects a native binary, and keep JIT results in
// the persistent JIT cache.
#pragma once

#include "aotpack/runtime.h"
#include "archive/reader.h"
#include "archive/signing.h"
#include "common/error.h"
#include "runtime/selector.h"

namespace aotpack::runtime {

// AOTPACK_POLICY_DEFAULT becomes $AOTPACK_POLICY, else prefer-native.
Policy resolvePolicy(aotpack_policy policy);

void fillInfo(aotpack_load_info& info, const Selection& s, std::uint32_t deviceIp);

// An archive to load from and, under a trust policy, what vouches for its payloads (null: no
// policy). Every payload is checked against the signature before it reaches the driver.
struct TrustedSource {
    const archive::ArchiveReader& archive;
    const archive::VerifiedArchive* trust = nullptr;
};

Status loadModule(const TrustedSource& source, ze_context_handle_t context,
                  ze_device_handle_t device, const char* module,
                  const aotpack_load_options* options, ze_module_handle_t& out,
                  aotpack_load_info& info);

} // namespace aotpack::runtime
