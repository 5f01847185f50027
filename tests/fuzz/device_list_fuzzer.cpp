// libFuzzer target: the device-list language on arbitrary text.
#include "devices/device_list.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto list = aotpack::devices::parseDeviceList(aotpack::devices::Database::builtin(), text);
    if (list) (void)list->canonical();
    return 0;
}
