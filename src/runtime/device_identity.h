// The IP version of a Level Zero device, which is what archive entries are keyed by.
#pragma once

#include "common/error.h"
#include "devices/database.h"

#include <level_zero/ze_api.h>
#include <string>

namespace aotpack::runtime {

struct DeviceIdentity {
    std::uint32_t ip = 0;      // 0: a device aotpack's database does not know (JIT only)
    std::uint32_t pciId = 0;   // keys the JIT cache when the IP is unknown
    std::string how;           // "ZE_extension_device_ip_version", "PCI id 0x56c0 rev 8", or why
                               // the IP is unknown
    std::string driverVersion; // part of the JIT cache key: a driver update invalidates entries
};

Expected<DeviceIdentity> identifyDevice(ze_device_handle_t device,
                                        const devices::Database& db = devices::Database::builtin());

} // namespace aotpack::runtime
