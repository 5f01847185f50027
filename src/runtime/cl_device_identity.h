// The identity of an OpenCL device, as device_identity.h gives a Level Zero one: its IP from
// CL_DEVICE_IP_VERSION_INTEL, or, where the driver answers that in the pre-2023 packing (22.43:
// 12.7.1 for DG2), from CL_DEVICE_ID_INTEL through the device database; its driver's version
// and release from CL_DRIVER_VERSION ("22.43.24595"). Used by the runtime and the preload layer,
// each with its own way to call clGetDeviceInfo.
#pragma once

#include "runtime/device_identity.h"

#include <cstddef>
#include <functional>

namespace aotpack::runtime {

// clGetDeviceInfo for one device: (param, size, value) -> CL_SUCCESS (0) or an error.
using ClDeviceQuery = std::function<int(unsigned param, std::size_t size, void* value)>;

DeviceIdentity identifyClDevice(const ClDeviceQuery& query);

} // namespace aotpack::runtime
