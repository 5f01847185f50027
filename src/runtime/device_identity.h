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
    std::string driverRelease; // "22.43.24595" where the API names it (OpenCL), else empty:
                               // natives from a newer compiler are not loaded (driver_release.h)
};

Expected<DeviceIdentity> identifyDevice(ze_device_handle_t device,
                                        const devices::Database& db = devices::Database::builtin());

// The IP of a device known only by its PCI device id (the stepping from sysfs where a card has
// it, else the product's current one); `how` says so. An error for an id the database lacks.
Expected<std::uint32_t> ipFromPciId(std::uint32_t deviceId, std::string& how,
                                    const devices::Database& db = devices::Database::builtin());

// Whether an IP version a driver reported is packed as archive entries are (major << 22 |
// minor << 14 | revision). OpenCL drivers before 2023 (Debian 12's 22.43) answer
// CL_DEVICE_IP_VERSION_INTEL with an older packing (12.7.1 for DG2): the PCI id is used then.
constexpr bool isEntryIpPacking(std::uint32_t ip) {
    return (ip >> 22) != 0;
}

} // namespace aotpack::runtime
