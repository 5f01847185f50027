#include "runtime/device_identity.h"

#include "common/file_io.h"
#include "common/text.h"
#include "runtime/ze_devices.h"

#include <filesystem>
#include <map>
#include <mutex>
#include <vector>

namespace aotpack::runtime {

namespace {

// From the Level Zero 1.5 spec; the installed 1.8.12 loader headers (spec 1.4) lack them.
constexpr const char* kIpVersionExtension = "ZE_extension_device_ip_version";
constexpr int kStructureTypeIpVersion = 0x1000f;
struct IpVersionExt {
    int stype;
    const void* pNext;
    std::uint32_t ipVersion;
};

ze_driver_handle_t driverOf(ze_device_handle_t device) {
    for (const auto& d : levelZeroDevices())
        if (d.device == device) return d.driver;
    return nullptr;
}

bool hasExtension(ze_driver_handle_t driver, const char* name) {
    std::uint32_t count = 0;
    if (zeDriverGetExtensionProperties(driver, &count, nullptr) != ZE_RESULT_SUCCESS) return false;
    std::vector<ze_driver_extension_properties_t> ext(count);
    zeDriverGetExtensionProperties(driver, &count, ext.data());
    for (const auto& e : ext)
        if (std::string_view(e.name) == name) return true;
    return false;
}

// The PCI revision of the first card with this device id (the stepping is not in L0's properties).
std::optional<std::uint32_t> sysfsRevision(std::uint32_t deviceId) {
    for (const auto& card : listDirectory("/sys/class/drm")) {
        auto id = readTextFile(card / "device" / "device");
        auto rev = readTextFile(card / "device" / "revision");
        if (!id || !rev) continue;
        auto idValue = parseUnsigned(trim(*id).substr(2), 16);
        auto revValue = parseUnsigned(trim(*rev).substr(2), 16);
        if (idValue == deviceId && revValue) return static_cast<std::uint32_t>(*revValue);
    }
    return std::nullopt;
}

Expected<std::uint32_t> ipFromPci(std::uint32_t deviceId, std::string& how,
                                  const devices::Database& db) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%04x", deviceId);
    const auto* pci = db.findPci(deviceId);
    if (!pci)
        return makeError(Errc::NoDevice,
                         std::string("device ") + hex + " is not in aotpack's device database");
    const auto* device = db.findDevice(pci->device);
    how = std::string("PCI id ") + hex;
    auto rev = sysfsRevision(deviceId);
    if (!rev) return device->current.ip.value(); // products ship with the current stepping
    how += " rev " + std::to_string(*rev);
    for (const auto* s : {&device->current})
        if (s->pciRevision == *rev || s->pciRevision == (*rev & 7)) return s->ip.value();
    for (const auto& s : device->older)
        if (s.pciRevision == *rev || s.pciRevision == (*rev & 7)) return s.ip.value();
    return device->current.ip.value();
}

} // namespace

Expected<std::uint32_t> ipFromPciId(std::uint32_t deviceId, std::string& how,
                                    const devices::Database& db) {
    return ipFromPci(deviceId, how, db);
}

static Expected<DeviceIdentity> queryIdentity(ze_device_handle_t device,
                                              const devices::Database& db) {
    DeviceIdentity id;
    ze_driver_handle_t driver = driverOf(device);
    if (!driver) return makeError(Errc::NoDevice, "the device belongs to no Level Zero driver");
    ze_driver_properties_t driverProps{};
    driverProps.stype = ZE_STRUCTURE_TYPE_DRIVER_PROPERTIES;
    if (zeDriverGetProperties(driver, &driverProps) == ZE_RESULT_SUCCESS)
        id.driverVersion = std::to_string(driverProps.driverVersion);
    IpVersionExt ext{kStructureTypeIpVersion, nullptr, 0};
    ze_device_properties_t props{};
    props.stype = ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES;
    bool viaExtension = hasExtension(driver, kIpVersionExtension);
    if (viaExtension)
        props.pNext = &ext; // old drivers return SUCCESS and leave it untouched: zeroed above
    if (zeDeviceGetProperties(device, &props) != ZE_RESULT_SUCCESS)
        return makeError(Errc::NoDevice, "zeDeviceGetProperties failed");
    if (viaExtension && ext.ipVersion != 0) {
        id.ip = ext.ipVersion;
        id.how = kIpVersionExtension;
        return id;
    }
    id.pciId = props.deviceId;
    auto ip = ipFromPci(props.deviceId, id.how, db);
    if (!ip) // a GPU newer than the database: no native binary can be chosen, the JIT still works
        id.how = ip.error().message;
    else
        id.ip = *ip;
    return id;
}

// A device's identity cannot change while the process runs, and every module load needs it.
Expected<DeviceIdentity> identifyDevice(ze_device_handle_t device, const devices::Database& db) {
    static std::mutex mutex;
    static std::map<ze_device_handle_t, DeviceIdentity> known;
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (auto it = known.find(device); it != known.end()) return it->second;
    }
    auto id = queryIdentity(device, db);
    if (id) {
        std::lock_guard<std::mutex> lock(mutex);
        known[device] = *id;
    }
    return id;
}

} // namespace aotpack::runtime
