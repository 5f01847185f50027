// Every Level Zero device with the driver it belongs to: the one walk over zeDriverGet and
// zeDeviceGet, for the runtime library, the replay library and the CLI (each links its own copy:
// libaotpack_rt hides its symbols, so this stays inline).
#pragma once

#include <level_zero/ze_api.h>
#include <vector>

namespace aotpack::runtime {

struct ZeDevice {
    ze_driver_handle_t driver = nullptr;
    ze_device_handle_t device = nullptr;
};

// zeInit must have succeeded (after a failed zeInit, the loader may crash in zeDriverGet).
inline std::vector<ZeDevice> levelZeroDevices() {
    std::vector<ZeDevice> out;
    std::uint32_t count = 0;
    if (zeDriverGet(&count, nullptr) != ZE_RESULT_SUCCESS) return out;
    std::vector<ze_driver_handle_t> drivers(count);
    zeDriverGet(&count, drivers.data());
    for (auto driver : drivers) {
        std::uint32_t n = 0;
        zeDeviceGet(driver, &n, nullptr);
        std::vector<ze_device_handle_t> devices(n);
        zeDeviceGet(driver, &n, devices.data());
        for (auto device : devices)
            out.push_back({driver, device});
    }
    return out;
}

} // namespace aotpack::runtime
