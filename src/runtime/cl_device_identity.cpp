#include "runtime/cl_device_identity.h"

#include <cstdio>

namespace aotpack::runtime {

namespace {

constexpr unsigned kDriverVersion = 0x102D;  // CL_DRIVER_VERSION
constexpr unsigned kIpVersionIntel = 0x4250; // CL_DEVICE_IP_VERSION_INTEL
constexpr unsigned kDeviceIdIntel = 0x4251;  // CL_DEVICE_ID_INTEL

} // namespace

DeviceIdentity identifyClDevice(const ClDeviceQuery& query) {
    DeviceIdentity id;
    char version[256] = {};
    if (query(kDriverVersion, sizeof version - 1, version) == 0) id.driverRelease = version;
    id.driverVersion = "opencl " + id.driverRelease; // its JIT results are OpenCL's own
    std::uint32_t ip = 0, pci = 0;
    if (query(kIpVersionIntel, sizeof ip, &ip) != 0 || ip == 0) {
        id.how = "the device reports no Intel IP version (not an Intel GPU)";
        return id;
    }
    if (isEntryIpPacking(ip)) {
        id.ip = ip;
        id.how = "CL_DEVICE_IP_VERSION_INTEL";
        return id;
    }
    if (query(kDeviceIdIntel, sizeof pci, &pci) != 0) {
        id.how = "the driver names neither the IP nor the PCI id";
        return id;
    }
    id.pciId = pci;
    auto fromPci = ipFromPciId(pci, id.how);
    if (fromPci)
        id.ip = *fromPci;
    else
        id.how = fromPci.error().message;
    return id;
}

} // namespace aotpack::runtime
