// The IP version of a Level Zero device, which is what archive entries are keyed by.
#pragma once

#include "common/error.h"
#include "devices/database.h"

#include <level_zero/ze_api.h>
#include <string>

namespace aotpack::runtime {

struct DeviceIdentity {
    std::uint32_t ip = 0;
    std::string how;           // "ZE_extension_device_ip_version", or "PCI id 0x56c0 rev 8"
    std::string driverVersion; // part of the JIT cache key: a driver update invalidates entries
};

Expected<DeviceIdentity> identifyDevice(ze_device_handle_t device,
                                        const devices::Database& db = devices::Database::builtin());

} // namespace aotpack::runtime
