#include "devices/ip_version.h"

#include "common/text.h"

namespace aotpack::devices {

std::string IpVersion::str() const {
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(revision);
}

std::optional<IpVersion> parseIpVersion(std::string_view text) {
    auto parts = split(text, '.');
    if (parts.size() != 3) return std::nullopt;
    auto major = parseUnsigned(parts[0]);
    auto minor = parseUnsigned(parts[1]);
    auto revision = parseUnsigned(parts[2]);
    if (!major || !minor || !revision) return std::nullopt;
    if (*major > 1023 || *minor > 255 || *revision > 63) return std::nullopt;
    return IpVersion{static_cast<std::uint32_t>(*major), static_cast<std::uint32_t>(*minor),
                     static_cast<std::uint32_t>(*revision)};
}

} // namespace aotpack::devices
